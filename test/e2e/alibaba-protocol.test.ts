import { execFile, execFileSync } from "node:child_process";
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  publicEncrypt,
  constants,
  sign as nodeSign,
  verify,
  X509Certificate,
} from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DkmsClient, dkmsClient, loadClientKey, type Reply } from "../helpers/dkms-client.js";
import { type PythonDriver, pythonClientAvailable, startPythonDriver } from "../helpers/dkms-python.js";
import { encode, type Fields } from "../helpers/dkms-wire.js";
import { type DkmsFixture, startDkmsFixture } from "../helpers/dkms-fixture.js";
import { ROOT } from "../helpers/server-process.js";

/**
 * The Alibaba Cloud KMS-instance protocol (dkms-gcs SDKs' wire) against the real server process,
 * over TLS with a `kms tls dev-cert` CA, through two independent clients written from the SDKs:
 * TypeScript (node:crypto, a protobuf codec of its own) and Python (python3-protobuf,
 * python3-cryptography). Each covers every operation and every error code of the protocol.
 * The server runs on PostgreSQL, so that the database faults (503, 500) can be made for real,
 * with one key-pair permit (`KMS_KEYPAIR_CONCURRENCY=1`) for the 429.
 */

const PG_URL = process.env.KMS_TEST_DATABASE_URL;
if (!PG_URL && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");
const PYTHON_OK = pythonClientAvailable();
if (!PYTHON_OK && process.env.CI)
  throw new Error("apt-get install -y python3-protobuf python3-cryptography protobuf-compiler");

const run = promisify(execFile);
let f: DkmsFixture;
let python: PythonDriver | undefined;

beforeAll(async () => {
  if (!PG_URL) return;
  f = await startDkmsFixture(PG_URL);
  if (PYTHON_OK) python = startPythonDriver({ host: "localhost", port: f.server.port, caFile: f.tls.ca });
}, 120_000);

afterAll(async () => {
  python?.close();
  await f?.stop();
});

type Client = DkmsClient & { burst(api: string, fields: Fields, count: number): Promise<Reply[]> };

const IMPLEMENTATIONS = [
  {
    name: "TypeScript",
    available: true,
    make(k: { file: string; password: string }): Client {
      const c = dkmsClient({ url: `https://127.0.0.1:${f.server.port}`, ca: f.ca }, loadClientKey(k.file, k.password));
      return { ...c, burst: (api, fields, n) => Promise.all(Array.from({ length: n }, () => c.call(api, fields))) };
    },
  },
  {
    name: "Python",
    available: PYTHON_OK,
    make: (k: { file: string; password: string }): Client => python!.client(k.file, k.password),
  },
];

const ok = (r: Reply): Fields => {
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
  expect(r.status).toBe(200);
  expect(r.fields!.RequestId).toMatch(/^[0-9a-f-]{36}$/);
  return r.fields!;
};

/** The protocol's error: HTTP status, `Error.StatusCode` the same, the code, and a request id. */
function expectError(r: Reply, status: number, code: string): void {
  expect({ status: r.status, StatusCode: r.error?.StatusCode, ErrorCode: r.error?.ErrorCode }).toEqual({
    status,
    StatusCode: status,
    ErrorCode: code,
  });
  expect(r.error!.RequestId).toMatch(/^[0-9a-f-]{36}$/);
}

const buf = (v: unknown) => v as Buffer;

/** Decrypt of the raw form: the key, the ciphertext, its Iv, AES_GCM and the Aad. */
function openRaw(c: DkmsClient, KeyId: string, sealed: Fields, blobField: string, Aad?: Buffer): Promise<Reply> {
  const fields: Fields = { KeyId, CiphertextBlob: sealed[blobField]!, Iv: sealed.Iv!, Algorithm: "AES_GCM" };
  return c.call("Decrypt", Aad ? { ...fields, Aad } : fields);
}
const pt = Buffer.from("the KMS-instance protocol, served here");
const aad = Buffer.from("order-42");

describe.skipIf(!PG_URL).each(IMPLEMENTATIONS)("$name client", ({ available, make }) => {
  let c: Client;
  let asBob: Client;
  beforeAll(() => {
    if (!available) return;
    c = make(f.admin);
    asBob = make(f.bob);
  });
  const test = available ? it : it.skip;

  test("Encrypt by f.alias seals under the initial version (raw form, Iv, AES_GCM); Decrypt needs the same Aad", async () => {
    const enc = ok(await c.call("Encrypt", { KeyId: f.alias, Plaintext: pt, Aad: aad }));
    expect(enc.KeyId).toBe(f.keys.aes);
    expect(enc.Algorithm).toBe("AES_GCM");
    expect(buf(enc.Iv)).toHaveLength(12);
    const dec = ok(await openRaw(c, f.alias, enc, "CiphertextBlob", aad));
    expect({ KeyId: dec.KeyId, Plaintext: buf(dec.Plaintext).toString() }).toEqual({
      KeyId: f.keys.aes,
      Plaintext: pt.toString(),
    });
    const other = await c.call("Decrypt", {
      KeyId: f.keys.aes,
      CiphertextBlob: enc.CiphertextBlob!,
      Iv: enc.Iv!,
      Aad: Buffer.from("x"),
    });
    expectError(other, 400, "InvalidParam");

    // After a rotation Encrypt still uses the initial version: kms.v1 Decrypt says which one opened it.
    const raw = ok(await c.call("Encrypt", { KeyId: f.keys.rotated, Plaintext: pt }));
    const opened = await f.connect("CryptoService/Decrypt", {
      keyId: f.keys.rotated,
      ciphertextBlob: buf(raw.CiphertextBlob).toString("base64"),
      iv: buf(raw.Iv).toString("base64"),
      algorithm: "AES_GCM",
    });
    expect(opened.keyVersionId).toBe(f.rotated.initial);
    expectError(await c.call("AdvanceDecrypt", { CiphertextBlob: raw.CiphertextBlob! }), 400, "InvalidParam");
  });

  test("AdvanceEncrypt seals under the primary version; AdvanceDecrypt opens it with no KeyId", async () => {
    const enc = ok(await c.call("AdvanceEncrypt", { KeyId: f.keys.rotated, Plaintext: pt, Aad: aad }));
    expect(enc.KeyVersionId).toBe(f.rotated.primary);
    expect(f.rotated.primary).not.toBe(f.rotated.initial);
    const dec = ok(await c.call("AdvanceDecrypt", { CiphertextBlob: enc.CiphertextBlob!, Aad: aad }));
    expect({ KeyId: dec.KeyId, KeyVersionId: dec.KeyVersionId, Plaintext: buf(dec.Plaintext).toString() }).toEqual({
      KeyId: f.keys.rotated,
      KeyVersionId: f.rotated.primary,
      Plaintext: pt.toString(),
    });
    const wrongKey = await c.call("AdvanceDecrypt", {
      CiphertextBlob: enc.CiphertextBlob!,
      KeyId: f.keys.aes,
      Aad: aad,
    });
    expectError(wrongKey, 400, "InvalidParam");
  });

  test("GenerateDataKey (32 bytes by default, raw, initial) and AdvanceGenerateDataKey (primary)", async () => {
    const dk = ok(await c.call("GenerateDataKey", { KeyId: f.keys.rotated, Aad: aad }));
    expect(buf(dk.Plaintext)).toHaveLength(32);
    expect(dk.Algorithm).toBe("AES_GCM");
    const back = ok(await openRaw(c, f.keys.rotated, dk, "CiphertextBlob", aad));
    expect(buf(back.Plaintext).equals(buf(dk.Plaintext))).toBe(true);

    const adk = ok(await c.call("AdvanceGenerateDataKey", { KeyId: f.keys.rotated, NumberOfBytes: 16 }));
    expect(buf(adk.Plaintext)).toHaveLength(16);
    expect(adk.KeyVersionId).toBe(f.rotated.primary);
    const opened = ok(await c.call("AdvanceDecrypt", { CiphertextBlob: adk.CiphertextBlob! }));
    expect(buf(opened.Plaintext).equals(buf(adk.Plaintext))).toBe(true);
    expectError(await c.call("GenerateDataKey", { KeyId: f.keys.aes, NumberOfBytes: 1025 }), 400, "InvalidParam");
  });

  test("GenerateDataKeyPair(WithoutPlaintext): initial version, raw form, the private key opened by Decrypt matches the public key", async () => {
    const pair = ok(
      await c.call("GenerateDataKeyPair", {
        KeyId: f.keys.rotated,
        KeyPairSpec: "EC_P256",
        KeyFormat: "PEM",
        Aad: aad,
      }),
    );
    expect({ KeyPairSpec: pair.KeyPairSpec, Algorithm: pair.Algorithm, KeyId: pair.KeyId }).toEqual({
      KeyPairSpec: "EC_P256",
      Algorithm: "AES_GCM",
      KeyId: f.keys.rotated,
    });
    const opened = ok(await openRaw(c, f.keys.rotated, pair, "PrivateKeyCiphertextBlob", aad));
    expect(buf(opened.Plaintext).equals(buf(pair.PrivateKeyPlaintext))).toBe(true);
    const derived = createPublicKey(createPrivateKey(buf(opened.Plaintext).toString())).export({
      type: "spki",
      format: "pem",
    });
    expect(derived).toBe(buf(pair.PublicKey).toString());

    const bare = ok(
      await c.call("GenerateDataKeyPairWithoutPlaintext", {
        KeyId: f.keys.aes,
        KeyPairSpec: "RSA_2048",
        KeyFormat: "DER",
      }),
    );
    expect(bare.PrivateKeyPlaintext).toBeUndefined();
    const der = ok(await openRaw(c, f.keys.aes, bare, "PrivateKeyCiphertextBlob"));
    const key = createPrivateKey({ key: buf(der.Plaintext), format: "der", type: "pkcs8" });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(createPublicKey(key).export({ type: "spki", format: "der" }).equals(buf(bare.PublicKey))).toBe(true);
  });

  test.each([
    ["EC_P384", "PEM"],
    ["EC_P521", "DER"],
    ["ED25519", "PEM"],
    ["ED25519", "DER"],
  ] as const)(
    "GenerateDataKeyPair %s %s: the opened PKCS#8 key signs for the returned public key",
    async (spec, format) => {
      const pair = ok(await c.call("GenerateDataKeyPair", { KeyId: f.keys.aes, KeyPairSpec: spec, KeyFormat: format }));
      expect(pair.KeyPairSpec).toBe(spec);
      const opened = ok(await openRaw(c, f.keys.aes, pair, "PrivateKeyCiphertextBlob"));
      expect(buf(opened.Plaintext).equals(buf(pair.PrivateKeyPlaintext))).toBe(true);
      const der = format === "DER";
      const privateKey = der
        ? createPrivateKey({ key: buf(opened.Plaintext), format: "der", type: "pkcs8" })
        : createPrivateKey(buf(opened.Plaintext).toString());
      const publicKey = der
        ? createPublicKey({ key: buf(pair.PublicKey), format: "der", type: "spki" })
        : createPublicKey(buf(pair.PublicKey).toString());
      expect(publicKey.asymmetricKeyType).toBe(spec === "ED25519" ? "ed25519" : "ec");
      const digest = spec === "ED25519" ? null : "sha256";
      const message = Buffer.from("alibaba pair");
      expect(verify(digest, message, publicKey, nodeSign(digest, message, privateKey))).toBe(true);
    },
  );

  test("AdvanceGenerateDataKeyPair(WithoutPlaintext): primary version, opened by AdvanceDecrypt alone", async () => {
    const pair = ok(
      await c.call("AdvanceGenerateDataKeyPair", { KeyId: f.keys.rotated, KeyPairSpec: "EC_P256K", KeyFormat: "PEM" }),
    );
    expect(pair.KeyVersionId).toBe(f.rotated.primary);
    const opened = ok(await c.call("AdvanceDecrypt", { CiphertextBlob: pair.PrivateKeyCiphertextBlob! }));
    expect(buf(opened.Plaintext).equals(buf(pair.PrivateKeyPlaintext))).toBe(true);

    const bare = ok(
      await c.call("AdvanceGenerateDataKeyPairWithoutPlaintext", {
        KeyId: f.alias,
        KeyPairSpec: "EC_P256",
        KeyFormat: "DER",
        Aad: aad,
      }),
    );
    expect(bare.PrivateKeyPlaintext).toBeUndefined();
    const der = ok(await c.call("AdvanceDecrypt", { CiphertextBlob: bare.PrivateKeyCiphertextBlob!, Aad: aad }));
    const pub = createPublicKey(createPrivateKey({ key: buf(der.Plaintext), format: "der", type: "pkcs8" }));
    expect(pub.export({ type: "spki", format: "der" }).equals(buf(bare.PublicKey))).toBe(true);
  });

  test("Sign and Verify (RSA_PSS_SHA_256 raw, RSA_PKCS1_SHA_256 digest, ECDSA_SHA_256 by Digest); GetPublicKey's PEM verifies them", async () => {
    const message = Buffer.from("sign me");
    const digest = createHash("sha256").update(message).digest();
    const rsaPem = ok(await c.call("GetPublicKey", { KeyId: f.keys.rsaSign })).PublicKey as string;
    const ecPem = ok(await c.call("GetPublicKey", { KeyId: f.keys.ecSign })).PublicKey as string;
    expect(rsaPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const cases: { KeyId: string; Algorithm: string; fields: Fields; pem: string; padding?: number }[] = [
      {
        KeyId: f.keys.rsaSign,
        Algorithm: "RSA_PSS_SHA_256",
        fields: { Message: message },
        pem: rsaPem,
        padding: constants.RSA_PKCS1_PSS_PADDING,
      },
      {
        KeyId: f.keys.rsaSign,
        Algorithm: "RSA_PKCS1_SHA_256",
        fields: { Message: digest, MessageType: "DIGEST" },
        pem: rsaPem,
        padding: constants.RSA_PKCS1_PADDING,
      },
      { KeyId: f.keys.ecSign, Algorithm: "ECDSA_SHA_256", fields: { Digest: digest }, pem: ecPem, padding: undefined },
    ];
    for (const k of cases) {
      const signed = ok(await c.call("Sign", { KeyId: k.KeyId, Algorithm: k.Algorithm, ...k.fields }));
      expect(signed.Algorithm).toBe(k.Algorithm);
      const publicKey = {
        key: k.pem,
        padding: k.padding,
        saltLength: k.padding === constants.RSA_PKCS1_PSS_PADDING ? 32 : undefined,
      };
      expect(verify("sha256", message, publicKey, buf(signed.Signature))).toBe(true);
      const good = ok(
        await c.call("Verify", { KeyId: k.KeyId, Algorithm: k.Algorithm, Signature: signed.Signature!, ...k.fields }),
      );
      expect(good.Value).toBe(true);
      const bad = ok(
        await c.call("Verify", {
          KeyId: k.KeyId,
          Algorithm: k.Algorithm,
          Signature: signed.Signature!,
          Message: Buffer.from("other"),
        }),
      );
      expect(bad.Value).toBeUndefined(); // false: proto3 sends no default
    }
    expectError(await c.call("GetPublicKey", { KeyId: f.keys.aes }), 400, "InvalidParam");
    expectError(
      await c.call("Sign", { KeyId: f.keys.rsaSign, Algorithm: "SM2DSA", Message: message }),
      400,
      "InvalidParam",
    );
  });

  test("Encrypt/Decrypt with an RSA key and RSAES_OAEP_SHA_256; GenerateRandom", async () => {
    const enc = ok(await c.call("Encrypt", { KeyId: f.keys.rsaEnc, Plaintext: pt, Algorithm: "RSAES_OAEP_SHA_256" }));
    expect(enc.Algorithm).toBe("RSAES_OAEP_SHA_256");
    const dec = ok(
      await c.call("Decrypt", {
        KeyId: f.keys.rsaEnc,
        CiphertextBlob: enc.CiphertextBlob!,
        Algorithm: "RSAES_OAEP_SHA_256",
      }),
    );
    expect(buf(dec.Plaintext).toString()).toBe(pt.toString());
    const pem = ok(await c.call("GetPublicKey", { KeyId: f.keys.rsaEnc })).PublicKey as string;
    const outside = publicEncrypt({ key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, pt);
    const back = ok(
      await c.call("Decrypt", { KeyId: f.keys.rsaEnc, CiphertextBlob: outside, Algorithm: "RSAES_OAEP_SHA_256" }),
    );
    expect(buf(back.Plaintext).toString()).toBe(pt.toString());

    const [a, b] = [
      ok(await c.call("GenerateRandom", { Length: 64 })),
      ok(await c.call("GenerateRandom", { Length: 64 })),
    ];
    expect(buf(a.Random)).toHaveLength(64);
    expect(buf(a.Random).equals(buf(b.Random))).toBe(false);
    expectError(await c.call("GenerateRandom", {}), 400, "MissingParameter");
    expectError(await c.call("GenerateRandom", { Length: 1025 }), 400, "InvalidParam");
  });

  test("every protocol error code, with its HTTP status", async () => {
    const cases: [string, Promise<Reply>, number, string][] = [
      ["unknown API", c.call("NoSuchApi", {}, { rawBody: Buffer.alloc(0) }), 400, "InvalidApiName"],
      [
        "GetSecretValue",
        c.call("GetSecretValue", {}, { rawBody: encode("GetSecretValueRequest", { SecretName: "db" }) }),
        400,
        "InvalidApiName",
      ],
      [
        "old API version",
        c.call("GenerateRandom", { Length: 8 }, { apiVersion: "dkms-gcs-0.1" }),
        400,
        "InvalidApiVersion",
      ],
      [
        "KeyPairSpec outside its set",
        c.call("GenerateDataKeyPair", { KeyId: f.keys.aes, KeyPairSpec: "RSA_1024" }),
        400,
        "InvalidParam",
      ],
      [
        "a body that is no message",
        c.call("Encrypt", {}, { rawBody: Buffer.from([0xff, 0xff, 0xff]) }),
        400,
        "InvalidParam",
      ],
      ["no Plaintext", c.call("Encrypt", { KeyId: f.keys.aes }), 400, "MissingParameter"],
      [
        "no KeyFormat",
        c.call("AdvanceGenerateDataKeyPair", { KeyId: f.keys.aes, KeyPairSpec: "EC_P256" }),
        400,
        "MissingParameter",
      ],
      [
        "date 16 minutes ago",
        c.call("GenerateRandom", { Length: 8 }, { dateOffsetMs: -16 * 60_000 }),
        400,
        "RequestTimeTooSkewed",
      ],
      [
        "date 16 minutes ahead",
        c.call("GenerateRandom", { Length: 8 }, { dateOffsetMs: 16 * 60_000 }),
        400,
        "RequestTimeTooSkewed",
      ],
      [
        "a corrupted signature",
        c.call("GenerateRandom", { Length: 8 }, { corruptSignature: true }),
        401,
        "SignatureNotMatch",
      ],
      [
        "a content-sha256 of other bytes",
        c.call("GenerateRandom", { Length: 8 }, { wrongBodyHash: true }),
        401,
        "SignatureNotMatch",
      ],
      [
        "another principal's key",
        asBob.call("Encrypt", { KeyId: f.keys.aes, Plaintext: pt }),
        403,
        "Forbidden.NoPermission",
      ],
      [
        "an f.alias that does not exist",
        c.call("Encrypt", { KeyId: "alias/none-such", Plaintext: pt }),
        404,
        "Forbidden.KeyNotFound",
      ],
      [
        "a key id that does not exist",
        c.call("GenerateDataKey", { KeyId: "6a1c2f0e-0000-4000-8000-000000000000" }),
        404,
        "Forbidden.KeyNotFound",
      ],
      ["a disabled key", c.call("Encrypt", { KeyId: f.keys.disabled, Plaintext: pt }), 409, "Rejected.Disabled"],
      ["a key pending deletion", c.call("GenerateDataKey", { KeyId: f.keys.pending }), 409, "Rejected.PendingDeletion"],
      [
        "a body over 3 MB",
        c.call("Encrypt", {}, { rawBody: Buffer.alloc(3 * 1024 * 1024 + 1) }),
        413,
        "RequestEntityTooLarge",
      ],
      [
        "JSON content type",
        c.call("GenerateRandom", { Length: 8 }, { contentType: "application/json" }),
        415,
        "InvalidContentType",
      ],
    ];
    for (const [what, reply, status, code] of cases) {
      const r = await reply;
      expect({ what, status: r.status, code: r.error?.ErrorCode }).toEqual({ what, status, code });
      expectError(r, status, code);
    }
    // `TOKEN` is accepted in place of `Bearer`.
    ok(await c.call("GenerateRandom", { Length: 8 }, { tokenScheme: true }));
  });

  test("the four pair operations over the one permit answer 429 Rejected.Throttling, Concurrency Limit Exceeded.", async () => {
    const replies = await c.burst(
      "GenerateDataKeyPair",
      { KeyId: f.keys.aes, KeyPairSpec: "RSA_4096", KeyFormat: "DER" },
      4,
    );
    const refused = replies.filter((r) => r.status !== 200);
    expect(replies.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect({ ...r.error, RequestId: undefined }).toEqual({
        StatusCode: 429,
        ErrorCode: "Rejected.Throttling",
        ErrorMessage: "Concurrency Limit Exceeded.",
        RequestId: undefined,
      });
    }
  }, 60_000);

  test("a deleted ClientKey is refused on its very next request; its principal's calls are audited", async () => {
    const issued = await f.newClientKey("bob");
    const doomed = make(issued);
    ok(await doomed.call("GenerateRandom", { Length: 8 }));
    await f.kms("client-key", "delete", issued.keyId);
    const listed = JSON.parse(await f.kms("client-key", "list")) as { keyId: string; principal: string }[];
    expect(listed.map((k) => k.keyId)).not.toContain(issued.keyId);
    expect(listed).toContainEqual(
      expect.objectContaining({ keyId: loadClientKey(f.bob.file, f.bob.password).keyId, principal: "bob" }),
    );
    expectError(await doomed.call("GenerateRandom", { Length: 8 }), 401, "SignatureNotMatch");

    const refused = await asBob.call("Decrypt", {
      KeyId: f.keys.aes,
      CiphertextBlob: Buffer.alloc(40),
      Iv: Buffer.alloc(12),
    });
    expectError(refused, 403, "Forbidden.NoPermission");
    const rows = await f.sql<{ principal: string; operation: string; outcome: string; error_code: string | null }>(
      `select principal, operation, outcome, error_code from "${f.schema}".kms_audit where request_id = $1`,
      [refused.error!.RequestId],
    );
    expect(rows).toEqual([
      { principal: "bob", operation: "dkms-gcs/Decrypt", outcome: "error", error_code: "AccessDenied" },
    ]);
  }, 60_000);
});

describe.skipIf(!PG_URL)("over HTTP/2 (ALPN h2, as HTTP/2-capable SDK transports negotiate)", () => {
  it("serves the same protocol", async () => {
    const key = loadClientKey(f.admin.file, f.admin.password);
    const c = dkmsClient({ url: `https://localhost:${f.server.port}`, ca: f.ca, http2: true }, key);
    const enc = ok(await c.call("Encrypt", { KeyId: f.alias, Plaintext: pt, Aad: aad }));
    expect(buf(ok(await openRaw(c, f.keys.aes, enc, "CiphertextBlob", aad)).Plaintext).toString()).toBe(pt.toString());
    expectError(await c.call("GenerateRandom", { Length: 8 }, { corruptSignature: true }), 401, "SignatureNotMatch");
  });
});

describe.skipIf(!PG_URL)("kms client-key create", () => {
  it("writes the SDKs' file (0600, KeyId and PrivateKeyData only) and stores the certificate alone", async () => {
    const content = JSON.parse(readFileSync(f.admin.file, "utf8")) as Record<string, string>;
    expect(Object.keys(content).sort()).toEqual(["KeyId", "PrivateKeyData"]);
    expect(content.KeyId).toMatch(/^KAAP\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(f.admin.file).toMatch(new RegExp(`/clientKey_${content.KeyId!.replace(".", "\\.")}\\.json$`));
    expect(statSync(f.admin.file).mode & 0o777).toBe(0o600);
    const [row] = await f.sql<Record<string, string>>(`select * from "${f.schema}".kms_client_keys where key_id = $1`, [
      content.KeyId,
    ]);
    expect(row!.principal).toBe("admin");
    const stored = JSON.stringify(row);
    expect(stored).not.toContain("PRIVATE KEY");
    expect(stored).not.toContain(f.admin.password);
    const cert = new X509Certificate(row!.certificate!);
    expect(cert.subject).toBe(`CN=${content.KeyId}`);
    const own = loadClientKey(f.admin.file, f.admin.password).privateKey;
    expect(createPublicKey(own).equals(cert.publicKey)).toBe(true);
  });
});

/** Go with Debian's golang-golang-x-crypto-dev (the PKCS#12 reader the dkms-gcs Go SDK uses), when installed. */
const GO_PATH = "/usr/share/gocode";
const GO_OK = (() => {
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
    return existsSync(join(GO_PATH, "src/golang.org/x/crypto/pkcs12"));
  } catch {
    return false;
  }
})();
if (!GO_OK)
  console.warn("alibaba-protocol: go and golang-golang-x-crypto-dev are not installed; skipping the Go client");

describe.skipIf(!PG_URL || !GO_OK)("Go client (golang.org/x/crypto/pkcs12, as the Go SDK reads ClientKeys)", () => {
  it("opens the ClientKey file (certificate first, then the key) and its signed request succeeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dkms-go-"));
    const goEnv = { ...process.env, GOPATH: GO_PATH, GO111MODULE: "off", GOCACHE: join(dir, "cache"), GOFLAGS: "" };
    await run("go", ["build", "-o", join(dir, "dkms-client"), "."], {
      cwd: join(ROOT, "test/go/dkms-client"),
      env: goEnv,
    });
    const { stdout } = await run(join(dir, "dkms-client"), [
      f.admin.file,
      f.admin.password,
      `localhost:${f.server.port}`,
      f.tls.ca,
    ]);
    expect(JSON.parse(stdout)).toEqual({ blocks: ["CERTIFICATE", "PRIVATE KEY"], status: 200, randomBytes: 32 });
  }, 120_000);
});

describe.skipIf(!PG_URL)("database faults, seen by both clients", () => {
  const clients = () => IMPLEMENTATIONS.filter((i) => i.available).map((i) => i.make(f.admin));

  it("a ClientKey table the database will not lock in time is 503 ServiceUnavailableTemporary", async () => {
    // A ClientKey never used before, so its certificate is not in the server's read cache and the
    // request has to read the locked table.
    const fresh = await f.newClientKey("admin");
    const freshClients = () => IMPLEMENTATIONS.filter((i) => i.available).map((i) => i.make(fresh));
    const locker = new pg.Client({ connectionString: PG_URL });
    await locker.connect();
    try {
      await locker.query("begin");
      await locker.query(`lock table "${f.schema}".kms_client_keys in access exclusive mode`);
      const replies = await Promise.all(freshClients().map((c) => c.call("GenerateRandom", { Length: 8 })));
      for (const r of replies) expectError(r, 503, "ServiceUnavailableTemporary");
    } finally {
      await locker.query("rollback");
      await locker.end();
    }
    for (const c of clients()) ok(await c.call("GenerateRandom", { Length: 8 }));
  }, 90_000);

  it("a stored certificate that cannot be read is 500 InternalFailure, with the fixed message", async () => {
    const broken = await f.newClientKey("admin");
    const made = IMPLEMENTATIONS.filter((i) => i.available).map((i) => i.make(broken));
    await f.sql(`update "${f.schema}".kms_client_keys set certificate = 'not a certificate' where key_id = $1`, [
      broken.keyId,
    ]);
    for (const c of made) {
      const r = await c.call("GenerateRandom", { Length: 8 });
      expectError(r, 500, "InternalFailure");
      expect(r.error!.ErrorMessage).not.toContain("certificate");
    }
  }, 60_000);
});
