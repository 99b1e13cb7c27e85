import { createHash, type KeyObject, verify } from "node:crypto";
import type { SigV4Request } from "../security/sigv4.js";

/** The one signature method the protocol defines: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2). */
export const SIGNATURE_METHOD = "RSA_PKCS1_SHA_256";

function header(req: SigV4Request, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v.join(",") : (v ?? "")).trim();
}

/**
 * The canonical resource: the path, then `?` and the query's parameters sorted by name as
 * `name=value` (or `name` alone when empty) joined by `&` — what the SDKs sign. They never send a
 * query, so in practice this is `/`.
 */
function canonicalResource(req: SigV4Request): string {
  const query = req.query.startsWith("?") ? req.query.slice(1) : req.query;
  if (query === "") return req.path;
  const params = new Map<string, string>();
  for (const part of query.split("&")) {
    const eq = part.indexOf("=");
    params.set(eq < 0 ? part : part.slice(0, eq), eq < 0 ? "" : part.slice(eq + 1));
  }
  const names = [...params.keys()].sort();
  return `${req.path}?${names.map((n) => (params.get(n) ? `${n}=${params.get(n)}` : n)).join("&")}`;
}

/**
 * The string the dkms-gcs SDKs sign: the method, `content-sha256`, `content-type` and `date`
 * header values, one per line; then every `x-kms-*` header (names lower-case, sorted, values
 * trimmed) as `name:value` lines; then the canonical resource.
 */
export function stringToSign(req: SigV4Request): string {
  const kmsHeaders = Object.keys(req.headers)
    .map((n) => n.toLowerCase())
    .filter((n) => n.startsWith("x-kms-"))
    .sort()
    .map((n) => `${n}:${header(req, n)}\n`)
    .join("");
  return [
    `${req.method}\n`,
    `${header(req, "content-sha256")}\n`,
    `${header(req, "content-type")}\n`,
    `${header(req, "date")}\n`,
    kmsHeaders,
    canonicalResource(req),
  ].join("");
}

/** Upper-case hex SHA-256 of the body, as the SDKs send it in `content-sha256`. */
export function contentSha256(body: Buffer): string {
  return createHash("sha256").update(body).digest("hex").toUpperCase();
}

/** Whether `signature` is the ClientKey's RSASSA-PKCS1-v1_5 SHA-256 signature of `text`. */
export function verifySignature(publicKey: KeyObject, text: string, signature: Buffer): boolean {
  try {
    return verify("sha256", Buffer.from(text, "utf8"), publicKey, signature);
  } catch {
    return false;
  }
}
