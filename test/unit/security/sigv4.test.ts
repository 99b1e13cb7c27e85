import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { canonicalQuery, canonicalUri } from "../../../src/security/sigv4-canonical.js";
import {
  deriveSigningKey,
  parseAmzDate,
  parseAuthorization,
  type SigV4Request,
  type SigV4Scope,
  verifySigV4,
} from "../../../src/security/sigv4.js";

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBytes(data: SourceData): Buffer | string {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** `@smithy/signature-v4` wants a hash class; node:crypto gives the same SHA-256/HMAC the SDK uses. */
class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error("not used");
  }
}

const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SIGNED_AT = new Date(Date.UTC(2026, 10, 23, 10, 15, 30));
const HOST = "kms.example.test:8443";
const BODY = JSON.stringify({ KeyId: "alias/payments", Plaintext: "aGVsbG8=", EncryptionContext: { tenant: "t-1" } });

interface Signable {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  region?: string;
  applyChecksum?: boolean;
  /** Headers the signer must leave out of SignedHeaders, as a careless hand-written client would. */
  unsigned?: string[];
}

/** Signs a realistic AWS JSON 1.1 KMS request the way the AWS SDK for JavaScript does. */
async function signed(opts: Signable = {}): Promise<SigV4Request> {
  const signer = new SignatureV4({
    service: "kms",
    region: opts.region ?? "us-east-1",
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
    sha256: Sha256,
    ...(opts.applyChecksum === undefined ? {} : { applyChecksum: opts.applyChecksum }),
  });
  const body = opts.body ?? BODY;
  const request = await signer.sign(
    {
      method: opts.method ?? "POST",
      protocol: "https:",
      hostname: "kms.example.test",
      port: 8443,
      path: opts.path ?? "/",
      query: opts.query ?? {},
      headers: {
        host: HOST,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "TrentService.Encrypt",
        "content-length": String(Buffer.byteLength(body)),
        ...opts.headers,
      },
      body,
    },
    { signingDate: SIGNED_AT, ...(opts.unsigned ? { unsignableHeaders: new Set(opts.unsigned) } : {}) },
  );
  const query = Object.entries(request.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  return {
    method: request.method,
    path: request.path,
    query,
    headers: { ...request.headers },
    body: Buffer.from(body),
  };
}

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

const lookups: string[] = [];
function options(overrides: { now?: Date; secret?: string | null } = {}) {
  return {
    now: overrides.now ?? new Date(SIGNED_AT.getTime() + 1000),
    signingKey: async (id: string, scope: SigV4Scope) => {
      lookups.push(id);
      const secret = overrides.secret !== undefined ? overrides.secret : id === ACCESS_KEY_ID ? SECRET : null;
      return secret === null ? null : deriveSigningKey(secret, scope.date, scope.region, scope.service);
    },
  };
}

const minutes = (n: number) => new Date(SIGNED_AT.getTime() + n * 60_000);

describe("verifySigV4 against requests signed by @smithy/signature-v4", () => {
  it("accepts a correctly signed KMS request and names its access key", async () => {
    const req = await signed();
    expect(req.headers["x-amz-content-sha256"]).toBe(createHash("sha256").update(BODY).digest("hex"));
    expect(await verifySigV4(req, options())).toEqual({ ok: true, accessKeyId: ACCESS_KEY_ID });
  });

  it("accepts a request signed without x-amz-content-sha256, hashing the body itself", async () => {
    const req = await signed({ applyChecksum: false });
    expect(req.headers["x-amz-content-sha256"]).toBeUndefined();
    expect(await verifySigV4(req, options())).toEqual({ ok: true, accessKeyId: ACCESS_KEY_ID });
  });

  it("accepts any region in the credential scope", async () => {
    const req = await signed({ region: "eu-central-1" });
    expect(req.headers.authorization).toContain("/eu-central-1/kms/aws4_request");
    expect(await verifySigV4(req, options())).toMatchObject({ ok: true });
  });

  it("refuses a signature made with another secret (mismatch)", async () => {
    const req = await signed();
    expect(await verifySigV4(req, options({ secret: `${SECRET.slice(0, -1)}Z` }))).toEqual({
      ok: false,
      reason: "mismatch",
    });
  });

  it("refuses an altered body, with and without x-amz-content-sha256 (mismatch)", async () => {
    for (const applyChecksum of [true, false]) {
      const req = await signed({ applyChecksum });
      const tampered = { ...req, body: Buffer.from(BODY.replace("payments", "payroll!")) };
      expect(await verifySigV4(tampered, options())).toEqual({ ok: false, reason: "mismatch" });
    }
  });

  it("refuses an x-amz-content-sha256 that is not the body's hash even if the signature covers it", async () => {
    const wrong = createHash("sha256").update("something else").digest("hex");
    const req = await signed({ headers: { "x-amz-content-sha256": wrong } });
    expect(await verifySigV4(req, options())).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuses an altered signed header (mismatch)", async () => {
    const req = await signed();
    const tampered = { ...req, headers: { ...req.headers, "x-amz-target": "TrentService.Decrypt" } };
    expect(await verifySigV4(tampered, options())).toEqual({ ok: false, reason: "mismatch" });
    const otherHost = { ...req, headers: { ...req.headers, host: "evil.example.test:8443" } };
    expect(await verifySigV4(otherHost, options())).toEqual({ ok: false, reason: "mismatch" });
  });

  it("ignores an unsigned header (user-agent is never signed)", async () => {
    const req = await signed({ headers: { "user-agent": "aws-sdk-js/3" } });
    expect(req.headers.authorization).not.toContain("user-agent");
    const changed = { ...req, headers: { ...req.headers, "user-agent": "curl/8" } };
    expect(await verifySigV4(changed, options())).toMatchObject({ ok: true });
  });

  it("refuses a request dated more than 15 minutes from now either way (expired), accepts 14", async () => {
    const req = await signed();
    expect(await verifySigV4(req, options({ now: minutes(16) }))).toEqual({ ok: false, reason: "expired" });
    expect(await verifySigV4(req, options({ now: minutes(-16) }))).toEqual({ ok: false, reason: "expired" });
    expect(await verifySigV4(req, options({ now: minutes(14) }))).toMatchObject({ ok: true });
    expect(await verifySigV4(req, options({ now: minutes(-14) }))).toMatchObject({ ok: true });
    expect(await verifySigV4(req, options({ now: minutes(15) }))).toMatchObject({ ok: true });
  });

  it("refuses a request with no Authorization header (missing)", async () => {
    const req = await signed();
    const { authorization: _dropped, ...headers } = req.headers;
    expect(await verifySigV4({ ...req, headers }, options())).toEqual({ ok: false, reason: "missing" });
  });

  it("refuses an unknown access key id (unknown-key) after asking for it", async () => {
    lookups.length = 0;
    const req = await signed();
    expect(await verifySigV4(req, options({ secret: null }))).toEqual({ ok: false, reason: "unknown-key" });
    expect(lookups).toEqual([ACCESS_KEY_ID]);
  });

  it("refuses malformed or incomplete Authorization headers (incomplete) without a key lookup", async () => {
    const req = await signed();
    const auth = String(req.headers.authorization);
    const variants = [
      "garbage",
      "Bearer kms_abc",
      auth.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
      auth.replace(/, Signature=[0-9a-f]+/, ""),
      auth.replace(/Signature=[0-9a-f]+/, "Signature=xyz"),
      auth.replace("/aws4_request", "/aws4_req"),
      auth.replace("/kms/", "/s3/"),
      auth.replace("/20261123/", "/20261122/"),
      auth.replace("SignedHeaders=", "SignedHeaders=Bad Header;"),
      `${auth}, Signature=${"0".repeat(64)}`,
      auth.replace("SignedHeaders=", "SignedHeaders=x-missing-header;"),
    ];
    lookups.length = 0;
    for (const authorization of variants) {
      const result = await verifySigV4({ ...req, headers: { ...req.headers, authorization } }, options());
      expect({ authorization, result }).toEqual({ authorization, result: { ok: false, reason: "incomplete" } });
    }
    expect(lookups).toEqual([]);
  });

  it("requires host and x-amz-date to be signed (incomplete)", async () => {
    for (const name of ["host", "x-amz-date"]) {
      const req = await signed();
      const auth = String(req.headers.authorization).replace(
        /SignedHeaders=([^,]+)/,
        (_, list: string) =>
          `SignedHeaders=${list
            .split(";")
            .filter((h) => h !== name)
            .join(";")}`,
      );
      const result = await verifySigV4({ ...req, headers: { ...req.headers, authorization: auth } }, options());
      expect({ name, result }).toEqual({ name, result: { ok: false, reason: "incomplete" } });
    }
  });

  it("refuses any x-amz-* header left unsigned, so a captured call cannot be replayed as another (incomplete)", async () => {
    for (const name of ["x-amz-target", "x-amz-security-token", "x-amz-content-sha256"]) {
      const extra = name === "x-amz-target" ? {} : { [name]: name.endsWith("sha256") ? sha256Hex(BODY) : "token" };
      const req = await signed({ headers: { "x-amz-target": "TrentService.DescribeKey", ...extra }, unsigned: [name] });
      expect(String(req.headers.authorization)).not.toContain(name);
      const result = await verifySigV4(req, options());
      expect({ name, result }).toEqual({ name, result: { ok: false, reason: "incomplete" } });
    }
    const replayed = await signed({
      headers: { "x-amz-target": "TrentService.DescribeKey" },
      unsigned: ["x-amz-target"],
    });
    const asDisable = { ...replayed, headers: { ...replayed.headers, "x-amz-target": "TrentService.DisableKey" } };
    expect(await verifySigV4(asDisable, options())).toEqual({ ok: false, reason: "incomplete" });
    // Headers outside x-amz-* may stay unsigned, as with AWS (the SDKs leave user-agent out).
    const custom = await signed({ headers: { "x-custom": "v" }, unsigned: ["x-custom"] });
    expect(await verifySigV4(custom, options())).toMatchObject({ ok: true });
  });

  it("refuses a malformed x-amz-date (incomplete)", async () => {
    const req = await signed();
    for (const date of ["2026-11-23T10:15:30Z", "20261323T101530Z", "20261123T101530"]) {
      const result = await verifySigV4({ ...req, headers: { ...req.headers, "x-amz-date": date } }, options());
      expect({ date, result }).toEqual({ date, result: { ok: false, reason: "incomplete" } });
    }
  });

  it("normalises header name case, order and whitespace as the canonical form does", async () => {
    const req = await signed({ headers: { "x-custom": "  a   b \t c  " } });
    const original = req.headers as Record<string, string>;
    const reshuffled: Record<string, string> = {};
    for (const name of Object.keys(original).reverse()) {
      const upper = name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase());
      reshuffled[upper] = original[name]!;
    }
    // Different runs of whitespace from what was signed, same canonical value "a b c".
    reshuffled["X-Custom"] = " a \t b    c ";
    expect(await verifySigV4({ ...req, headers: reshuffled }, options())).toMatchObject({ ok: true });
    reshuffled["X-Custom"] = "a bc";
    expect(await verifySigV4({ ...req, headers: reshuffled }, options())).toEqual({ ok: false, reason: "mismatch" });
  });

  it("takes HTTP/2's :authority as the host when no host header came", async () => {
    const req = await signed();
    const { host, ...rest } = req.headers;
    expect(await verifySigV4({ ...req, headers: { ...rest, ":authority": host } }, options())).toMatchObject({
      ok: true,
    });
    const wrong = { ...rest, ":authority": "other.example.test" };
    expect(await verifySigV4({ ...req, headers: wrong }, options())).toEqual({ ok: false, reason: "mismatch" });
  });

  it("verifies paths and query strings exactly as the SDK signs them", async () => {
    const req = await signed({
      method: "GET",
      path: "/foo%20bar/./baz/",
      query: { b: "2", a: "x y", "c*": "it's (ok)", empty: "" },
      body: "",
    });
    expect(await verifySigV4(req, options())).toMatchObject({ ok: true });
    expect(await verifySigV4({ ...req, query: req.query.replace("b=2", "b=3") }, options())).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(await verifySigV4({ ...req, path: "/foo%20bar/baz/x" }, options())).toEqual({
      ok: false,
      reason: "mismatch",
    });
  });
});

describe("SigV4 building blocks against AWS's published examples", () => {
  it("derives the signing key of the AWS documentation example", () => {
    // "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference).
    const key = deriveSigningKey(SECRET, "20120215", "us-east-1", "iam");
    expect(key.toString("hex")).toBe("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
  });

  it("canonicalises URIs and queries per the spec", () => {
    expect(canonicalUri("")).toBe("/");
    expect(canonicalUri("/")).toBe("/");
    expect(canonicalUri("/a/./b/../c//d/")).toBe("/a/c/d/");
    expect(canonicalUri("/foo%20bar/ü")).toBe("/foo%2520bar/%C3%BC");
    expect(canonicalQuery("b=2&a=1&a=0&c")).toBe("a=0&a=1&b=2&c=");
    expect(canonicalQuery("?x=a%20b&y=a+b&z=*!")).toBe("x=a%20b&y=a%2Bb&z=%2A%21");
  });

  it("parses the Authorization header's parts", () => {
    const sig = "a".repeat(64);
    expect(
      parseAuthorization(
        "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/kms/aws4_request," +
          `SignedHeaders=host;x-amz-date, Signature=${sig}`,
      ),
    ).toEqual({
      accessKeyId: "AKID",
      date: "20261123",
      region: "us-east-1",
      service: "kms",
      signedHeaders: ["host", "x-amz-date"],
      signature: sig,
    });
    expect(parseAmzDate("20261123T101530Z")?.toISOString()).toBe("2026-11-23T10:15:30.000Z");
    expect(parseAmzDate("20260230T101530Z")).toBeNull();
    expect(parseAmzDate("20261323T101530Z")).toBeNull();
    expect(parseAmzDate("20261123T251530Z")).toBeNull();
    expect(parseAmzDate("20261123T106030Z")).toBeNull();
    expect(parseAmzDate("20261123T101560Z")).toBeNull();
    expect(parseAmzDate("00991123T101530Z")).toBeNull();
    expect(parseAmzDate("20240229T235959Z")?.toISOString()).toBe("2024-02-29T23:59:59.000Z");
  });
});
