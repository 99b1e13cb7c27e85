import { createHmac, hash, timingSafeEqual } from "node:crypto";
import { canonicalRequest, type HeaderMap, lowerCaseHeaders } from "./sigv4-canonical.js";

/**
 * AWS Signature Version 4 verification for the AWS JSON endpoint
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
 * with HMAC-SHA-256 (RFC 2104) from `node:crypto` only.
 */

/** The request as the transport received it. */
export interface SigV4Request {
  method: string;
  /** The path as it came over the wire (still percent-encoded), without the query. */
  path: string;
  /** The raw query string, with or without the leading `?`; `""` when there is none. */
  query: string;
  /** Header names in any case. On HTTP/2, `:authority` stands in for an absent `host`. */
  headers: HeaderMap;
  body: Buffer;
}

export interface SigV4Options {
  /** The server's clock; requests dated more than {@link MAX_CLOCK_SKEW_MS} away are refused. */
  now: Date;
  /**
   * The signing key of an access key id for a credential scope ({@link deriveSigningKey} over the
   * principal's secret; a caller may keep it for the day), or null when no principal has the id.
   * Called at most once per request, and only after the cheap checks (format, scope, date) pass.
   */
  signingKey(accessKeyId: string, scope: SigV4Scope): Promise<Buffer | null>;
  /** The service the credential scope must name; only `"kms"`. */
  service?: "kms";
}

/**
 * Why a request failed, mapped by the AWS adapter to AWS's exceptions:
 * `missing` → MissingAuthenticationToken / UnrecognizedClient, `incomplete` →
 * IncompleteSignatureException, `unknown-key` → UnrecognizedClientException, `mismatch` and
 * `expired` → InvalidSignatureException.
 */
export type SigV4Failure = "missing" | "incomplete" | "unknown-key" | "mismatch" | "expired";

export type SigV4Result = { ok: true; accessKeyId: string } | { ok: false; reason: SigV4Failure };

/** The only algorithm SigV4 defines for HMAC signing. */
export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";

/** AWS refuses requests whose `x-amz-date` is more than 15 minutes from its clock, either way. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** A credential scope: the day, region and service a signing key is good for. */
export interface SigV4Scope {
  /** `YYYYMMDD`. */
  date: string;
  region: string;
  service: string;
}

/** The parsed `Authorization` header. */
export interface SigV4Authorization extends SigV4Scope {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/kms/aws4_request,
 * SignedHeaders=host;x-amz-date, Signature=<64 hex>`; null when anything is malformed or missing,
 * including a repeated component.
 */
export function parseAuthorization(header: string): SigV4Authorization | null {
  const trimmed = header.trim();
  const space = trimmed.indexOf(" ");
  if (space < 0 || trimmed.slice(0, space) !== SIGV4_ALGORITHM) return null;
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(",")) {
    const item = part.trim();
    const eq = item.indexOf("=");
    if (eq <= 0) return null;
    const name = item.slice(0, eq);
    if (fields.has(name)) return null;
    fields.set(name, item.slice(eq + 1));
  }
  const credential = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (fields.size !== 3 || credential === undefined || signedHeaders === undefined || signature === undefined) {
    return null;
  }
  const scope = credential.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request") return null;
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  if (accessKeyId === "" || !/^\d{8}$/.test(date) || region === "" || service === "") return null;
  const names = signedHeaders.split(";");
  if (!names.every((n) => HEADER_NAME.test(n))) return null;
  if (!SIGNATURE.test(signature)) return null;
  return { accessKeyId, date, region, service, signedHeaders: names, signature };
}

/** Parses a SigV4 basic-format timestamp (`20261123T101500Z`); null unless it is a real instant. */
export function parseAmzDate(value: string): Date | null {
  const m = AMZ_DATE.exec(value);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls over (month 13, hour 25); a real timestamp keeps every field it was given.
  const real =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return real ? date : null;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/**
 * The signing key: HMAC-SHA-256 (RFC 2104) chained over date, region, service and
 * `aws4_request`, starting from `"AWS4" + secret`. Scoping the key this way means a leaked
 * signing key is good for one day, region and service only.
 */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

/** `AWS4-HMAC-SHA256 \n amzDate \n scope \n hex(SHA-256(canonical request))`. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  const digest = hash("sha256", canonical, "hex");
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${digest}`;
}

const fail = (reason: SigV4Failure): SigV4Result => ({ ok: false, reason });

/**
 * Whether an `x-amz-*` header was sent but left out of SignedHeaders. AWS refuses such requests
 * (IncompleteSignatureException): an unsigned `X-Amz-Target` would let a captured `DescribeKey`
 * be replayed as `DisableKey` while its date is fresh.
 */
function unsignedAmzHeader(headers: Map<string, string>, signed: readonly string[]): boolean {
  for (const name of headers.keys()) {
    if (name.startsWith("x-amz-") && !signed.includes(name)) return true;
  }
  return false;
}

/**
 * Verifies a SigV4-signed request: the `Authorization` header's form, its credential scope (the
 * scope's date must be `x-amz-date`'s date, the service `kms`, any region — the client's
 * configured one), `host`, `x-amz-date` and every `x-amz-*` header sent (`x-amz-target` above all)
 * among the signed headers (so neither the target host, the timestamp nor the operation can be
 * swapped for a replay), the date within ±15 minutes of `now`, the payload hash
 * (`x-amz-content-sha256`, when sent, must equal SHA-256 of the body), and finally the signature,
 * compared in constant time.
 *
 * Checks run cheapest first; the secret is looked up only for a well-formed, fresh request. The
 * result says why a request failed so the adapter can answer as AWS does; callers must not put
 * more than that reason into an error (never the expected signature or canonical request).
 *
 * HTTP/2 carries the host in the `:authority` pseudo-header and Node's compat API has no `host`
 * then; when `host` is absent, `:authority` is its value (SDKs sign the authority they sent).
 *
 * Not supported: presigned URLs (query-string auth), `Date` in place of `x-amz-date`, chunked
 * (`STREAMING-…`) or unsigned payloads — the KMS API never uses them.
 */
export async function verifySigV4(req: SigV4Request, opts: SigV4Options): Promise<SigV4Result> {
  const headers = lowerCaseHeaders(req.headers);
  const authorization = headers.get("authorization");
  if (authorization === undefined) return fail("missing");
  const auth = parseAuthorization(authorization);
  if (auth === null) return fail("incomplete");
  if (auth.service !== (opts.service ?? "kms")) return fail("incomplete");
  if (!headers.has("host") && headers.has(":authority")) headers.set("host", headers.get(":authority")!);
  if (!auth.signedHeaders.includes("host") || !auth.signedHeaders.includes("x-amz-date")) {
    return fail("incomplete");
  }
  if (!auth.signedHeaders.every((name) => headers.has(name))) return fail("incomplete");
  if (unsignedAmzHeader(headers, auth.signedHeaders)) return fail("incomplete");
  const amzDate = headers.get("x-amz-date")!.trim();
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === null || amzDate.slice(0, 8) !== auth.date) return fail("incomplete");
  if (Math.abs(opts.now.getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) return fail("expired");

  const key = await opts.signingKey(auth.accessKeyId, auth);
  if (key === null) return fail("unknown-key");

  const bodyHash = hash("sha256", req.body, "hex");
  const claimed = headers.get("x-amz-content-sha256")?.trim();
  if (claimed !== undefined && (!HEX_SHA256.test(claimed) || claimed.toLowerCase() !== bodyHash)) {
    return fail("mismatch");
  }
  const canonical = canonicalRequest({
    method: req.method,
    path: req.path,
    query: req.query,
    headers,
    signedHeaders: auth.signedHeaders,
    payloadHash: claimed ?? bodyHash,
  });
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const expected = createHmac("sha256", key)
    .update(stringToSign(amzDate, scope, canonical), "utf8")
    .digest();
  const given = Buffer.from(auth.signature, "hex");
  return timingSafeEqual(expected, given) ? { ok: true, accessKeyId: auth.accessKeyId } : fail("mismatch");
}
