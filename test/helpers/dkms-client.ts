import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode, encode, type Fields } from "./dkms-wire.js";

/**
 * An independent client of the Alibaba KMS-instance protocol, written for the tests from the
 * dkms-gcs SDKs (not from this service's code): the SDKs' headers, their string to sign, an
 * RSASSA-PKCS1-v1_5 SHA-256 signature with node:crypto, protobuf bodies through `dkms-wire.ts`.
 * The ClientKey file is opened with the `openssl` command, as an SDK would open it with its own
 * PKCS#12 reader.
 */

export interface ClientKey {
  keyId: string;
  privateKey: KeyObject;
}

/** Reads `clientKey_<id>.json` as the SDKs do: base64 PKCS#12 in `PrivateKeyData`, opened with the password. */
export function loadClientKey(file: string, password: string): ClientKey {
  const { KeyId, PrivateKeyData } = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), "dkms-p12-"));
  try {
    const p12 = join(dir, "key.p12");
    writeFileSync(p12, Buffer.from(PrivateKeyData!, "base64"));
    const pem = execFileSync("openssl", ["pkcs12", "-in", p12, "-passin", "env:P12_PASSWORD", "-nocerts", "-nodes"], {
      env: { ...process.env, P12_PASSWORD: password },
    });
    return { keyId: KeyId!, privateKey: createPrivateKey(pem) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Ways to send a request other than the SDKs would, to see the server refuse it. */
export interface Tamper {
  apiVersion?: string;
  contentType?: string;
  /** Added to the clock when writing `date`. */
  dateOffsetMs?: number;
  /** Sends a `content-sha256` of other bytes (still signed). */
  wrongBodyHash?: boolean;
  /** Signs, then flips a bit of the signature. */
  corruptSignature?: boolean;
  /** Sends these bytes instead of the encoded message. */
  rawBody?: Buffer;
  /** `TOKEN` instead of `Bearer` in `authorization` (both are accepted). */
  tokenScheme?: boolean;
}

export interface Reply {
  status: number;
  /** The response message's fields (2xx) … */
  fields?: Fields;
  /** … or the `Error` message (4xx/5xx). */
  error?: { StatusCode: number; ErrorCode: string; ErrorMessage: string; RequestId: string };
}

export interface DkmsClient {
  call(api: string, fields: Fields, tamper?: Tamper): Promise<Reply>;
}

/** Where to send: `https://host:port` with the CA to trust; `http2` negotiates h2 by ALPN (as OkHttp does). */
export interface Endpoint {
  url: string;
  ca?: Buffer;
  http2?: boolean;
}

export function dkmsClient(endpoint: Endpoint, key: ClientKey): DkmsClient {
  return {
    async call(api, fields, tamper = {}) {
      const body = tamper.rawBody ?? encode(`${api}Request`, fields);
      const sha = createHash("sha256")
        .update(tamper.wrongBodyHash ? Buffer.concat([body, Buffer.from([0])]) : body)
        .digest("hex")
        .toUpperCase();
      const headers: Record<string, string> = {
        accept: "application/x-protobuf",
        "content-type": tamper.contentType ?? "application/x-protobuf",
        "content-sha256": sha,
        date: new Date(Date.now() + (tamper.dateOffsetMs ?? 0)).toUTCString(),
        "user-agent": "dkms-test-client/1",
        "x-kms-apiversion": tamper.apiVersion ?? "dkms-gcs-0.2",
        "x-kms-apiname": api,
        "x-kms-signaturemethod": "RSA_PKCS1_SHA_256",
        "x-kms-acccesskeyid": key.keyId,
      };
      const kmsLines = Object.keys(headers)
        .filter((h) => h.startsWith("x-kms-"))
        .sort()
        .map((h) => `${h}:${headers[h]!.trim()}\n`)
        .join("");
      const text = `POST\n${sha}\n${headers["content-type"]}\n${headers.date}\n${kmsLines}/`;
      const signature = sign("sha256", Buffer.from(text), key.privateKey);
      if (tamper.corruptSignature) signature[0]! ^= 1;
      headers.authorization = `${tamper.tokenScheme ? "TOKEN" : "Bearer"} ${signature.toString("base64")}`;
      const { status, data } = await (endpoint.http2 ? postHttp2 : post)(endpoint, headers, body);
      if (status >= 400) return { status, error: decode("Error", data) as Reply["error"] };
      return { status, fields: decode(`${api}Response`, data) };
    },
  };
}

function post(
  endpoint: Endpoint,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; data: Buffer }> {
  const url = new URL(endpoint.url);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      { method: "POST", headers: { ...headers, "content-length": String(body.length) }, ca: endpoint.ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, data: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function postHttp2(endpoint: Endpoint, headers: Record<string, string>, body: Buffer) {
  return new Promise<{ status: number; data: Buffer }>((resolve, reject) => {
    const session = http2.connect(endpoint.url, { ca: endpoint.ca });
    session.on("error", reject);
    const req = session.request({ ":method": "POST", ":path": "/", ...headers });
    const chunks: Buffer[] = [];
    let status = 0;
    req.on("response", (h) => {
      status = Number(h[":status"]);
    });
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      session.close();
      resolve({ status, data: Buffer.concat(chunks) });
    });
    req.on("error", reject);
    req.end(body);
  });
}
