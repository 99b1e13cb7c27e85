import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createPublicKey,
  type KeyObject,
  publicEncrypt,
  randomBytes,
  verify as nodeVerify,
} from "node:crypto";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectGrpcError,
  type GrpcClients,
  grpcClients,
  type WireKeyMetadata,
  type WireRequest,
} from "../helpers/grpc-client.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * CryptoService through the real server and an independent grpc-js peer. Signatures, OAEP
 * ciphertexts and data keys are checked against node:crypto with the public key from
 * GetPublicKey, never against the service itself.
 */

let server: ServerProcess;
let c: GrpcClients;
let aes: WireKeyMetadata;
let aes2: WireKeyMetadata;
let aes2Alias: string;
let rsaSign: WireKeyMetadata;
let ecP256: WireKeyMetadata;
let ecP256K: WireKeyMetadata;
let hmac: WireKeyMetadata;
let rsaEnc: WireKeyMetadata;

async function createKey(req: WireRequest): Promise<WireKeyMetadata> {
  return (await c.keys.CreateKey(req)).key;
}

async function publicKeyOf(keyId: string): Promise<{ key: KeyObject; res: Record<string, unknown> }> {
  const res = await c.crypto.GetPublicKey({ keyId });
  const der = res.publicKey as Buffer;
  return { key: createPublicKey({ key: der, format: "der", type: "spki" }), res };
}

function flipped(buf: Buffer, at = 0): Buffer {
  const out = Buffer.from(buf);
  out[at % out.length] = out[at % out.length]! ^ 0x01;
  return out;
}

beforeAll(async () => {
  server = await startServer({ env: { KMS_WORKERS: "2" } });
  c = grpcClients(server.url);
  aes = await createKey({ keySpec: "KEY_SPEC_AES_256" });
  aes2 = await createKey({ keySpec: "KEY_SPEC_AES_256", keyUsage: "KEY_USAGE_ENCRYPT_DECRYPT" });
  aes2Alias = `alias/crypto-dest-${aes2.keyId.slice(0, 8)}`;
  await c.keys.CreateAlias({ aliasName: aes2Alias, keyId: aes2.keyId });
  [rsaSign, ecP256, ecP256K, hmac, rsaEnc] = await Promise.all([
    createKey({ keySpec: "KEY_SPEC_RSA_2048", keyUsage: "KEY_USAGE_SIGN_VERIFY" }),
    createKey({ keySpec: "KEY_SPEC_EC_P256", keyUsage: "KEY_USAGE_SIGN_VERIFY" }),
    createKey({ keySpec: "KEY_SPEC_EC_P256K", keyUsage: "KEY_USAGE_SIGN_VERIFY" }),
    createKey({ keySpec: "KEY_SPEC_HMAC_256", keyUsage: "KEY_USAGE_GENERATE_VERIFY_MAC" }),
    createKey({ keySpec: "KEY_SPEC_RSA_2048", keyUsage: "KEY_USAGE_ENCRYPT_DECRYPT" }),
  ]);
});

afterAll(async () => {
  c?.close();
  await server?.stop();
});

describe("Encrypt / Decrypt (raw form)", () => {
  it.each([1, 4096])("encrypts %i bytes under the initial version and decrypts them back", async (n) => {
    const plaintext = randomBytes(n);
    const aad = randomBytes(9);
    const enc = await c.crypto.Encrypt({ keyId: aes.keyId, plaintext, aad, encryptionContext: { n: String(n) } });
    expect(enc.keyId).toBe(aes.keyId);
    expect(enc.keyVersionId).toBe(aes.initialKeyVersionId);
    expect(enc.algorithm).toBe("AES_GCM");
    expect(enc.iv.length).toBe(12);
    expect(enc.ciphertextBlob.length).toBe(32 + n + 16);
    if (n > 1) expect(enc.ciphertextBlob.includes(plaintext)).toBe(false);
    const dec = await c.crypto.Decrypt({
      ciphertextBlob: enc.ciphertextBlob,
      keyId: aes.keyId,
      iv: enc.iv,
      algorithm: enc.algorithm,
      aad,
      encryptionContext: { n: String(n) },
    });
    expect(dec.keyId).toBe(aes.keyId);
    expect(dec.keyVersionId).toBe(aes.initialKeyVersionId);
    expect(dec.plaintext.equals(plaintext)).toBe(true);
  });

  it.each([
    ["an empty plaintext", { plaintext: Buffer.alloc(0) }],
    ["4097 bytes of plaintext", { plaintext: Buffer.alloc(4097, 1) }],
    ["8193 bytes of aad", { plaintext: Buffer.of(1), aad: Buffer.alloc(8193) }],
  ])("%s is INVALID_ARGUMENT ValidationException", async (_, req) => {
    await expectGrpcError(
      c.crypto.Encrypt({ keyId: aes.keyId, ...req }),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
  });

  it("8192 bytes of aad are accepted and needed again to decrypt", async () => {
    const aad = randomBytes(8192);
    const enc = await c.crypto.Encrypt({ keyId: aes.keyId, plaintext: Buffer.from("big aad"), aad });
    const base = { ciphertextBlob: enc.ciphertextBlob, keyId: aes.keyId, iv: enc.iv, algorithm: "AES_GCM" };
    expect((await c.crypto.Decrypt({ ...base, aad })).plaintext.toString()).toBe("big aad");
    await expectGrpcError(
      c.crypto.Decrypt({ ...base, aad: flipped(aad, 8191) }),
      status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
  });

  it("the raw form needs key_id with its iv, and only the AES_GCM algorithm", async () => {
    const enc = await c.crypto.Encrypt({ keyId: aes.keyId, plaintext: Buffer.from("raw") });
    await expectGrpcError(
      c.crypto.Decrypt({ ciphertextBlob: enc.ciphertextBlob, iv: enc.iv, algorithm: "AES_GCM" }),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
    await expectGrpcError(
      c.crypto.Decrypt({ ciphertextBlob: enc.ciphertextBlob, keyId: aes.keyId, iv: enc.iv, algorithm: "AES_CBC" }),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
    // Omitting the algorithm is fine; the iv alone selects the raw form.
    const dec = await c.crypto.Decrypt({ ciphertextBlob: enc.ciphertextBlob, keyId: aes.keyId, iv: enc.iv });
    expect(dec.plaintext.toString()).toBe("raw");
    // Under another key the raw form does not open, and says nothing more.
    await expectGrpcError(
      c.crypto.Decrypt({ ciphertextBlob: enc.ciphertextBlob, keyId: aes2.keyId, iv: enc.iv }),
      status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
  });

  it("a blob decrypted with another key's id is INVALID_ARGUMENT IncorrectKeyException", async () => {
    const enc = await c.crypto.AdvanceEncrypt({ keyId: aes.keyId, plaintext: Buffer.from("blob") });
    await expectGrpcError(
      c.crypto.Decrypt({ ciphertextBlob: enc.ciphertextBlob, keyId: aes2.keyId }),
      status.INVALID_ARGUMENT,
      "IncorrectKeyException",
    );
    await expectGrpcError(
      c.crypto.Decrypt({ ciphertextBlob: enc.ciphertextBlob, keyId: aes2Alias }),
      status.INVALID_ARGUMENT,
      "IncorrectKeyException",
    );
    const right = await c.crypto.Decrypt({ ciphertextBlob: enc.ciphertextBlob, keyId: aes.keyId });
    expect(right.plaintext.toString()).toBe("blob");
  });

  it("a single changed byte anywhere in a blob is InvalidCiphertextException with one fixed message", async () => {
    const enc = await c.crypto.AdvanceEncrypt({ keyId: aes.keyId, plaintext: Buffer.from("tamper") });
    const messages = new Set<string>();
    for (const at of [0, 1, 5, 40, 80, 100, enc.ciphertextBlob.length - 1]) {
      const err = await expectGrpcError(
        c.crypto.AdvanceDecrypt({ ciphertextBlob: flipped(enc.ciphertextBlob, at) }),
        status.INVALID_ARGUMENT,
        "InvalidCiphertextException",
      );
      messages.add(err.details);
    }
    const wrongAad = await expectGrpcError(
      c.crypto.AdvanceDecrypt({ ciphertextBlob: enc.ciphertextBlob, aad: Buffer.of(1) }),
      status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
    messages.add(wrongAad.details);
    expect(messages.size).toBe(1);
  });
});

describe("encryption context on the wire", () => {
  it("binds keys that are names of Object.prototype members", async () => {
    const encryptionContext = { constructor: "a", toString: "b", hasOwnProperty: "c", valueOf: "" };
    const enc = await c.crypto.AdvanceEncrypt({ keyId: aes.keyId, plaintext: Buffer.from("p"), encryptionContext });
    expect(
      (await c.crypto.AdvanceDecrypt({ ciphertextBlob: enc.ciphertextBlob, encryptionContext })).plaintext.toString(),
    ).toBe("p");
    await expectGrpcError(
      c.crypto.AdvanceDecrypt({ ciphertextBlob: enc.ciphertextBlob }),
      status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
  });
});

describe("ReEncrypt", () => {
  it("moves a blob to another key's primary; only the destination binding opens the result", async () => {
    const plaintext = randomBytes(100);
    const source = { aad: Buffer.from("src-aad"), encryptionContext: { side: "source" } };
    const destination = { aad: Buffer.from("dst-aad"), encryptionContext: { side: "destination" } };
    const enc = await c.crypto.AdvanceEncrypt({ keyId: aes.keyId, plaintext, ...source });
    const re = await c.crypto.ReEncrypt({
      ciphertextBlob: enc.ciphertextBlob,
      sourceAad: source.aad,
      sourceEncryptionContext: source.encryptionContext,
      destinationKeyId: aes2Alias,
      destinationAad: destination.aad,
      destinationEncryptionContext: destination.encryptionContext,
    });
    expect(re.sourceKeyId).toBe(aes.keyId);
    expect(re.sourceKeyVersionId).toBe(aes.primaryKeyVersionId);
    expect(re.keyId).toBe(aes2.keyId);
    expect(re.keyVersionId).toBe(aes2.primaryKeyVersionId);
    expect(re.ciphertextBlob.equals(enc.ciphertextBlob)).toBe(false);

    const opened = await c.crypto.AdvanceDecrypt({ ciphertextBlob: re.ciphertextBlob, ...destination });
    expect(opened.keyId).toBe(aes2.keyId);
    expect(opened.plaintext.equals(plaintext)).toBe(true);
    await expectGrpcError(
      c.crypto.AdvanceDecrypt({ ciphertextBlob: re.ciphertextBlob, ...source }),
      status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
    await expectGrpcError(
      c.crypto.AdvanceDecrypt({ ciphertextBlob: re.ciphertextBlob, aad: destination.aad }),
      status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
  });

  it("refuses a source opened with the wrong binding, and a non-ENCRYPT_DECRYPT destination", async () => {
    const enc = await c.crypto.AdvanceEncrypt({ keyId: aes.keyId, plaintext: Buffer.from("x"), aad: Buffer.from("a") });
    await expectGrpcError(
      c.crypto.ReEncrypt({
        ciphertextBlob: enc.ciphertextBlob,
        sourceAad: Buffer.from("b"),
        destinationKeyId: aes2.keyId,
      }),
      status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
    await expectGrpcError(
      c.crypto.ReEncrypt({
        ciphertextBlob: enc.ciphertextBlob,
        sourceAad: Buffer.from("a"),
        destinationKeyId: hmac.keyId,
      }),
      status.FAILED_PRECONDITION,
      "InvalidKeyUsageException",
    );
  });
});

describe("GenerateRandom", () => {
  it.each([1, 1024])("returns exactly %i bytes, different every call", async (n) => {
    const a = await c.crypto.GenerateRandom({ numberOfBytes: n });
    expect(a.plaintext.length).toBe(n);
    if (n === 1024) {
      const b = await c.crypto.GenerateRandom({ numberOfBytes: n });
      expect(b.plaintext.length).toBe(n);
      expect(a.plaintext.equals(b.plaintext)).toBe(false);
      // 1024 random bytes use more than a handful of distinct values.
      expect(new Set(a.plaintext).size).toBeGreaterThan(200);
    }
  });

  it.each([0, 1025])("%i bytes is INVALID_ARGUMENT ValidationException", async (n) => {
    await expectGrpcError(
      c.crypto.GenerateRandom({ numberOfBytes: n }),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
  });
});

const RSA_ALGS = [
  ["RSASSA_PSS_SHA_256", "sha256", "pss"],
  ["RSASSA_PSS_SHA_384", "sha384", "pss"],
  ["RSASSA_PSS_SHA_512", "sha512", "pss"],
  ["RSASSA_PKCS1_V1_5_SHA_256", "sha256", "pkcs1"],
  ["RSASSA_PKCS1_V1_5_SHA_384", "sha384", "pkcs1"],
  ["RSASSA_PKCS1_V1_5_SHA_512", "sha512", "pkcs1"],
] as const;

/** Verifies independently with node:crypto, with the scheme AWS KMS documents (PSS salt = hash length). */
function independentlyValid(
  pub: KeyObject,
  hash: string,
  kind: "pss" | "pkcs1" | "ecdsa",
  message: Buffer,
  signature: Buffer,
): boolean {
  if (kind === "ecdsa") return nodeVerify(hash, message, { key: pub, dsaEncoding: "der" }, signature);
  if (kind === "pss") {
    const saltLength = createHash(hash).digest().length;
    return nodeVerify(hash, message, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
  }
  return nodeVerify(hash, message, { key: pub, padding: constants.RSA_PKCS1_PADDING }, signature);
}

/**
 * Signs `message` (RAW) or its digest (DIGEST) and checks the signature with node:crypto over
 * the original message and with Verify: every algorithm works in both modes.
 */
async function signAndVerify(
  keyId: string,
  pub: KeyObject,
  alg: string,
  hash: string,
  kind: "pss" | "pkcs1" | "ecdsa",
  messageType: "RAW" | "DIGEST",
): Promise<Buffer> {
  const message = randomBytes(300);
  const input = messageType === "RAW" ? message : createHash(hash).update(message).digest();
  const req = {
    keyId,
    message: input,
    messageType: `MESSAGE_TYPE_${messageType}`,
    signingAlgorithm: `SIGNING_ALGORITHM_${alg}`,
  };
  const signed = await c.crypto.Sign(req);
  expect(signed.keyId).toBe(keyId);
  expect(signed.signingAlgorithm).toBe(`SIGNING_ALGORITHM_${alg}`);
  expect(independentlyValid(pub, hash, kind, message, signed.signature)).toBe(true);
  expect(independentlyValid(pub, hash, kind, flipped(message, 7), signed.signature)).toBe(false);

  const verified = await c.crypto.Verify({ ...req, signature: signed.signature });
  expect(verified.signatureValid).toBe(true);
  expect(verified.keyId).toBe(keyId);
  const changedInput = await c.crypto.Verify({ ...req, message: flipped(input, 3), signature: signed.signature });
  expect(changedInput.signatureValid).toBe(false);
  const changedSignature = await c.crypto.Verify({ ...req, signature: flipped(signed.signature, 20) });
  expect(changedSignature.signatureValid).toBe(false);
  return signed.signature;
}

describe("Sign / Verify", () => {
  let rsaPub: KeyObject;
  beforeAll(async () => {
    const { key, res } = await publicKeyOf(rsaSign.keyId);
    rsaPub = key;
    expect(res.keyId).toBe(rsaSign.keyId);
    expect(res.keySpec).toBe("KEY_SPEC_RSA_2048");
    expect(res.keyUsage).toBe("KEY_USAGE_SIGN_VERIFY");
    expect([...(res.signingAlgorithms as string[])].sort()).toEqual(
      RSA_ALGS.map(([a]) => `SIGNING_ALGORITHM_${a}`).sort(),
    );
    expect(rsaPub.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  for (const [alg, hash, kind] of RSA_ALGS) {
    it.each(["RAW", "DIGEST"] as const)(`RSA_2048 ${alg} %s`, async (messageType) => {
      await signAndVerify(rsaSign.keyId, rsaPub, alg, hash, kind, messageType);
    });
  }

  it("PKCS#1 v1.5 is deterministic: RAW and DIGEST of one message give the same signature", async () => {
    const message = randomBytes(50);
    const base = { keyId: rsaSign.keyId, signingAlgorithm: "SIGNING_ALGORITHM_RSASSA_PKCS1_V1_5_SHA_384" };
    const raw = await c.crypto.Sign({ ...base, message, messageType: "MESSAGE_TYPE_RAW" });
    const digest = await c.crypto.Sign({
      ...base,
      message: createHash("sha384").update(message).digest(),
      messageType: "MESSAGE_TYPE_DIGEST",
    });
    expect(digest.signature.equals(raw.signature)).toBe(true);
  });

  it.each([
    ["EC_P256", "prime256v1"],
    ["EC_P256K", "secp256k1"],
  ] as const)("%s ECDSA_SHA_256 RAW and DIGEST", async (spec, curve) => {
    const key = spec === "EC_P256" ? ecP256 : ecP256K;
    const { key: pub, res } = await publicKeyOf(key.keyId);
    expect(pub.asymmetricKeyDetails?.namedCurve).toBe(curve);
    expect(res.signingAlgorithms).toEqual(["SIGNING_ALGORITHM_ECDSA_SHA_256"]);
    const sig = await signAndVerify(key.keyId, pub, "ECDSA_SHA_256", "sha256", "ecdsa", "RAW");
    // DER-encoded Ecdsa-Sig-Value: a SEQUENCE.
    expect(sig?.[0]).toBe(0x30);
    await signAndVerify(key.keyId, pub, "ECDSA_SHA_256", "sha256", "ecdsa", "DIGEST");
  });

  it("a DIGEST of the wrong length is INVALID_ARGUMENT ValidationException", async () => {
    const bad = (alg: string, length: number, keyId: string) =>
      c.crypto.Sign({
        keyId,
        message: randomBytes(length),
        messageType: "MESSAGE_TYPE_DIGEST",
        signingAlgorithm: `SIGNING_ALGORITHM_${alg}`,
      });
    await expectGrpcError(
      bad("RSASSA_PKCS1_V1_5_SHA_256", 31, rsaSign.keyId),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
    await expectGrpcError(
      bad("RSASSA_PKCS1_V1_5_SHA_512", 48, rsaSign.keyId),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
    await expectGrpcError(bad("ECDSA_SHA_256", 33, ecP256.keyId), status.INVALID_ARGUMENT, "ValidationException");
    await expectGrpcError(
      c.crypto.Verify({
        keyId: rsaSign.keyId,
        message: randomBytes(33),
        messageType: "MESSAGE_TYPE_DIGEST",
        signingAlgorithm: "SIGNING_ALGORITHM_RSASSA_PKCS1_V1_5_SHA_256",
        signature: randomBytes(256),
      }),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
  });

  it("an RSA algorithm on an EC key, ECDSA on an RSA key, and Sign with an HMAC or AES key are InvalidKeyUsage", async () => {
    const sign = (keyId: string, alg?: string) =>
      c.crypto.Sign({
        keyId,
        message: Buffer.from("m"),
        ...(alg ? { signingAlgorithm: `SIGNING_ALGORITHM_${alg}` } : {}),
      });
    await expectGrpcError(
      sign(ecP256.keyId, "RSASSA_PSS_SHA_256"),
      status.FAILED_PRECONDITION,
      "InvalidKeyUsageException",
    );
    await expectGrpcError(
      sign(ecP256K.keyId, "RSASSA_PKCS1_V1_5_SHA_256"),
      status.FAILED_PRECONDITION,
      "InvalidKeyUsageException",
    );
    await expectGrpcError(sign(rsaSign.keyId, "ECDSA_SHA_256"), status.FAILED_PRECONDITION, "InvalidKeyUsageException");
    await expectGrpcError(sign(hmac.keyId), status.FAILED_PRECONDITION, "InvalidKeyUsageException");
    await expectGrpcError(sign(aes.keyId), status.FAILED_PRECONDITION, "InvalidKeyUsageException");
    await expectGrpcError(sign(rsaEnc.keyId), status.FAILED_PRECONDITION, "InvalidKeyUsageException");
  });

  it("an unspecified algorithm is PSS SHA-256 for RSA", async () => {
    const message = Buffer.from("default algorithm");
    const signed = await c.crypto.Sign({ keyId: rsaSign.keyId, message });
    expect(signed.signingAlgorithm).toBe("SIGNING_ALGORITHM_RSASSA_PSS_SHA_256");
    expect(independentlyValid(rsaPub, "sha256", "pss", message, signed.signature)).toBe(true);
  });
});

describe("GenerateMac / VerifyMac", () => {
  it("HMAC-SHA-256: deterministic, 32 bytes, verified only for the same message and mac", async () => {
    const message = randomBytes(64);
    const a = await c.crypto.GenerateMac({ keyId: hmac.keyId, message });
    const b = await c.crypto.GenerateMac({ keyId: hmac.keyId, message });
    const mac = a.mac as Buffer;
    expect(a.keyId).toBe(hmac.keyId);
    expect(a.macAlgorithm).toBe("MAC_ALGORITHM_HMAC_SHA_256");
    expect(mac.length).toBe(32);
    expect(mac.equals(b.mac as Buffer)).toBe(true);
    const other = await c.crypto.GenerateMac({ keyId: hmac.keyId, message: flipped(message) });
    expect(mac.equals(other.mac as Buffer)).toBe(false);

    const verify = (m: Buffer, t: Buffer) => c.crypto.VerifyMac({ keyId: hmac.keyId, message: m, mac: t });
    expect((await verify(message, mac)).macValid).toBe(true);
    expect((await verify(flipped(message, 10), mac)).macValid).toBe(false);
    expect((await verify(message, flipped(mac, 31))).macValid).toBe(false);
    expect((await verify(message, mac.subarray(0, 31))).macValid).toBe(false);
  });

  it("a MAC key cannot sign and a non-MAC key cannot MAC", async () => {
    await expectGrpcError(
      c.crypto.Sign({ keyId: hmac.keyId, message: Buffer.from("m"), messageType: "MESSAGE_TYPE_RAW" }),
      status.FAILED_PRECONDITION,
      "InvalidKeyUsageException",
    );
    await expectGrpcError(
      c.crypto.GenerateMac({ keyId: aes.keyId, message: Buffer.from("m") }),
      status.FAILED_PRECONDITION,
      "InvalidKeyUsageException",
    );
  });
});

describe("RSA ENCRYPT_DECRYPT keys", () => {
  it("Encrypt with RSAES_OAEP_SHA_256 decrypts through the service", async () => {
    const plaintext = randomBytes(190);
    const enc = await c.crypto.Encrypt({
      keyId: rsaEnc.keyId,
      plaintext,
      encryptionAlgorithm: "ENCRYPTION_ALGORITHM_RSAES_OAEP_SHA_256",
    });
    expect(enc.keyId).toBe(rsaEnc.keyId);
    expect(enc.ciphertextBlob.length).toBe(256);
    expect(enc.iv.length).toBe(0);
    expect(enc.algorithm).toBe("RSAES_OAEP_SHA_256");
    const dec = await c.crypto.Decrypt({
      ciphertextBlob: enc.ciphertextBlob,
      keyId: rsaEnc.keyId,
      encryptionAlgorithm: "ENCRYPTION_ALGORITHM_RSAES_OAEP_SHA_256",
    });
    expect(dec.plaintext.equals(plaintext)).toBe(true);
    // 191 bytes exceed OAEP-SHA-256's bound for a 2048-bit modulus (256 − 2·32 − 2).
    await expectGrpcError(
      c.crypto.Encrypt({
        keyId: rsaEnc.keyId,
        plaintext: randomBytes(191),
        encryptionAlgorithm: "ENCRYPTION_ALGORITHM_RSAES_OAEP_SHA_256",
      }),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
  });

  it.each([
    ["sha256", "RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"],
    ["sha1", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
  ] as const)(
    "node's publicEncrypt with OAEP-%s under GetPublicKey's key decrypts through the service",
    async (hash, alg, wrong) => {
      const { key: pub, res } = await publicKeyOf(rsaEnc.keyId);
      expect(res.keyUsage).toBe("KEY_USAGE_ENCRYPT_DECRYPT");
      expect([...(res.encryptionAlgorithms as string[])].sort()).toEqual([
        "ENCRYPTION_ALGORITHM_RSAES_OAEP_SHA_1",
        "ENCRYPTION_ALGORITHM_RSAES_OAEP_SHA_256",
      ]);
      const plaintext = randomBytes(64);
      const ciphertextBlob = publicEncrypt(
        { key: pub, oaepHash: hash, padding: constants.RSA_PKCS1_OAEP_PADDING },
        plaintext,
      );
      const dec = await c.crypto.Decrypt({
        ciphertextBlob,
        keyId: rsaEnc.keyId,
        encryptionAlgorithm: `ENCRYPTION_ALGORITHM_${alg}`,
      });
      expect(dec.keyId).toBe(rsaEnc.keyId);
      expect(dec.plaintext.equals(plaintext)).toBe(true);
      await expectGrpcError(
        c.crypto.Decrypt({ ciphertextBlob, keyId: rsaEnc.keyId, encryptionAlgorithm: `ENCRYPTION_ALGORITHM_${wrong}` }),
        status.INVALID_ARGUMENT,
        "InvalidCiphertextException",
      );
      await expectGrpcError(
        c.crypto.Decrypt({
          ciphertextBlob: flipped(ciphertextBlob, 100),
          keyId: rsaEnc.keyId,
          encryptionAlgorithm: `ENCRYPTION_ALGORITHM_${alg}`,
        }),
        status.INVALID_ARGUMENT,
        "InvalidCiphertextException",
      );
    },
  );
});

describe("interop: a data key used directly with node:crypto", () => {
  it("AES-256-GCM under the GenerateDataKey plaintext opens with the key Decrypt returns later", async () => {
    const encryptionContext = { file: "report.pdf" };
    const generated = await c.dataKeys.GenerateDataKey({
      keyId: aes.keyId,
      keySpec: "DATA_KEY_SPEC_AES_256",
      encryptionContext,
    });
    expect(generated.plaintext.length).toBe(32);
    const message = Buffer.from("envelope encryption, checked outside the service");
    const iv = randomBytes(12);
    const header = Buffer.from("v1");
    const cipher = createCipheriv("aes-256-gcm", generated.plaintext, iv);
    cipher.setAAD(header);
    const sealed = Buffer.concat([cipher.update(message), cipher.final()]);
    const tag = cipher.getAuthTag();
    const storedBlob = Buffer.from(generated.ciphertextBlob);
    generated.plaintext.fill(0);

    const recovered = (await c.crypto.Decrypt({ ciphertextBlob: storedBlob, encryptionContext })).plaintext;
    expect(recovered.length).toBe(32);
    const decipher = createDecipheriv("aes-256-gcm", recovered, iv);
    decipher.setAAD(header);
    decipher.setAuthTag(tag);
    expect(Buffer.concat([decipher.update(sealed), decipher.final()]).equals(message)).toBe(true);
    // Known answer: the recovered key, run forward again, gives the same ciphertext and tag.
    const again = createCipheriv("aes-256-gcm", recovered, iv);
    again.setAAD(header);
    const replay = Buffer.concat([again.update(message), again.final()]);
    expect(replay.equals(sealed)).toBe(true);
    expect(again.getAuthTag().equals(tag)).toBe(true);
  });
});
