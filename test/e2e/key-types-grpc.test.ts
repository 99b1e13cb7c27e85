import {
  createHash,
  createHmac,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
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
import { wrapForImport } from "../helpers/import-wrap.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * The key specs of P-384/P-521, Ed25519, HMAC-224/384/512 and ECDH key agreement through the real
 * server and an independent grpc-js peer. Every signature is verified and every shared secret
 * recomputed with node:crypto from GetPublicKey's SPKI; every MAC is recomputed with
 * crypto.createHmac over imported key material the test chose.
 */

let server: ServerProcess;
let c: GrpcClients;

async function createKey(req: WireRequest): Promise<WireKeyMetadata> {
  return (await c.keys.CreateKey(req)).key;
}

async function publicKeyOf(keyId: string): Promise<{ key: KeyObject; res: Record<string, unknown> }> {
  const res = await c.crypto.GetPublicKey({ keyId });
  return { key: createPublicKey({ key: res.publicKey as Buffer, format: "der", type: "spki" }), res };
}

const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" });

beforeAll(async () => {
  server = await startServer({ env: { KMS_WORKERS: "2" } });
  c = grpcClients(server.url);
});

afterAll(async () => {
  c?.close();
  await server?.stop();
});

const ECDSA = [
  ["EC_P384", "ECDSA_SHA_384", "sha384", "secp384r1"],
  ["EC_P521", "ECDSA_SHA_512", "sha512", "secp521r1"],
] as const;

describe.each(ECDSA)("KEY_SPEC_%s SIGN_VERIFY with %s", (spec, algorithm, hash, curve) => {
  let key: WireKeyMetadata;
  let publicKey: KeyObject;
  beforeAll(async () => {
    key = await createKey({ keySpec: `KEY_SPEC_${spec}`, keyUsage: "KEY_USAGE_SIGN_VERIFY" });
    publicKey = (await publicKeyOf(key.keyId)).key;
  });

  it("is created with its spec; GetPublicKey gives an SPKI on the curve and lists only its ECDSA", async () => {
    expect(key.keySpec).toBe(`KEY_SPEC_${spec}`);
    expect(key.keyUsage).toBe("KEY_USAGE_SIGN_VERIFY");
    const { res } = await publicKeyOf(key.keyId);
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe(curve);
    expect(res).toMatchObject({
      keySpec: `KEY_SPEC_${spec}`,
      keyUsage: "KEY_USAGE_SIGN_VERIFY",
      signingAlgorithms: [`SIGNING_ALGORITHM_${algorithm}`],
      encryptionAlgorithms: [],
      keyAgreementAlgorithms: [],
    });
  });

  it.each(["RAW", "DIGEST"] as const)("signs a %s message: crypto.verify accepts it, Verify too", async (type) => {
    const message = randomBytes(300);
    const input = type === "RAW" ? message : createHash(hash).update(message).digest();
    const req = { keyId: key.keyId, message: input, messageType: `MESSAGE_TYPE_${type}` };
    const signed = await c.crypto.Sign({ ...req, signingAlgorithm: `SIGNING_ALGORITHM_${algorithm}` });
    expect(signed.signingAlgorithm).toBe(`SIGNING_ALGORITHM_${algorithm}`);
    expect(signed.signature[0]).toBe(0x30);
    expect(nodeVerify(hash, message, { key: publicKey, dsaEncoding: "der" }, signed.signature)).toBe(true);
    expect(nodeVerify(hash, randomBytes(300), { key: publicKey, dsaEncoding: "der" }, signed.signature)).toBe(false);
    const ok = await c.crypto.Verify({ ...req, signature: signed.signature });
    expect(ok).toMatchObject({ signatureValid: true, signingAlgorithm: `SIGNING_ALGORITHM_${algorithm}` });
    const flipped = Buffer.from(signed.signature);
    flipped[flipped.length - 1]! ^= 1;
    expect((await c.crypto.Verify({ ...req, signature: flipped })).signatureValid).toBe(false);
  });

  it("an unspecified algorithm is the curve's ECDSA", async () => {
    const message = Buffer.from("default algorithm");
    const signed = await c.crypto.Sign({ keyId: key.keyId, message });
    expect(signed.signingAlgorithm).toBe(`SIGNING_ALGORITHM_${algorithm}`);
    expect(nodeVerify(hash, message, { key: publicKey, dsaEncoding: "der" }, signed.signature)).toBe(true);
  });

  it("every other signing algorithm is FAILED_PRECONDITION InvalidKeyUsageException", async () => {
    const others = [
      "ECDSA_SHA_256",
      "ECDSA_SHA_384",
      "ECDSA_SHA_512",
      "ED25519_SHA_512",
      "RSASSA_PSS_SHA_256",
      "RSASSA_PKCS1_V1_5_SHA_512",
    ].filter((a) => a !== algorithm);
    for (const other of others) {
      await expectGrpcError(
        c.crypto.Sign({ keyId: key.keyId, message: Buffer.from("m"), signingAlgorithm: `SIGNING_ALGORITHM_${other}` }),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
    }
    await expectGrpcError(
      c.crypto.DeriveSharedSecret({
        keyId: key.keyId,
        publicKey: spki(generateKeyPairSync("ec", { namedCurve: curve }).publicKey),
      }),
      status.FAILED_PRECONDITION,
      "InvalidKeyUsageException",
    );
  });
});

describe("KEY_SPEC_ED25519", () => {
  let key: WireKeyMetadata;
  let publicKey: KeyObject;
  beforeAll(async () => {
    key = await createKey({ keySpec: "KEY_SPEC_ED25519", keyUsage: "KEY_USAGE_SIGN_VERIFY" });
    publicKey = (await publicKeyOf(key.keyId)).key;
  });

  it("GetPublicKey gives an Ed25519 SPKI and lists both Ed25519 algorithms", async () => {
    expect(publicKey.asymmetricKeyType).toBe("ed25519");
    const { res } = await publicKeyOf(key.keyId);
    expect(res.signingAlgorithms).toEqual([
      "SIGNING_ALGORITHM_ED25519_SHA_512",
      "SIGNING_ALGORITHM_ED25519_PH_SHA_512",
    ]);
  });

  it("ED25519_SHA_512 signs a RAW message: 64 bytes that crypto.verify accepts; Verify agrees", async () => {
    const message = randomBytes(4096);
    const req = { keyId: key.keyId, message, signingAlgorithm: "SIGNING_ALGORITHM_ED25519_SHA_512" };
    const signed = await c.crypto.Sign(req);
    expect(signed.signature.length).toBe(64);
    expect(nodeVerify(null, message, publicKey, signed.signature)).toBe(true);
    expect(nodeVerify(null, Buffer.from("other"), publicKey, signed.signature)).toBe(false);
    expect((await c.crypto.Verify({ ...req, signature: signed.signature })).signatureValid).toBe(true);
    expect(
      (await c.crypto.Verify({ ...req, message: Buffer.from("other"), signature: signed.signature })).signatureValid,
    ).toBe(false);
    // Unspecified is ED25519_SHA_512, and PureEdDSA is deterministic: the same signature.
    const byDefault = await c.crypto.Sign({ keyId: key.keyId, message });
    expect(byDefault.signingAlgorithm).toBe("SIGNING_ALGORITHM_ED25519_SHA_512");
    expect(byDefault.signature.equals(signed.signature)).toBe(true);
  });

  it("ED25519_SHA_512 over a DIGEST is INVALID_ARGUMENT (AWS: RAW only)", async () => {
    const digest = createHash("sha512").update("m").digest();
    await expectGrpcError(
      c.crypto.Sign({
        keyId: key.keyId,
        message: digest,
        messageType: "MESSAGE_TYPE_DIGEST",
        signingAlgorithm: "SIGNING_ALGORITHM_ED25519_SHA_512",
      }),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
  });

  it("ED25519_PH_SHA_512 is FAILED_PRECONDITION UnsupportedOperationException (no Ed25519ph in node:crypto)", async () => {
    const digest = createHash("sha512").update("m").digest();
    const req = {
      keyId: key.keyId,
      message: digest,
      messageType: "MESSAGE_TYPE_DIGEST",
      signingAlgorithm: "SIGNING_ALGORITHM_ED25519_PH_SHA_512",
    };
    await expectGrpcError(c.crypto.Sign(req), status.FAILED_PRECONDITION, "UnsupportedOperationException");
    await expectGrpcError(
      c.crypto.Verify({ ...req, signature: Buffer.alloc(64, 1) }),
      status.FAILED_PRECONDITION,
      "UnsupportedOperationException",
    );
  });

  it("ECDSA and RSASSA algorithms are FAILED_PRECONDITION InvalidKeyUsageException", async () => {
    for (const a of ["ECDSA_SHA_256", "ECDSA_SHA_512", "RSASSA_PSS_SHA_512"]) {
      await expectGrpcError(
        c.crypto.Sign({ keyId: key.keyId, message: Buffer.from("m"), signingAlgorithm: `SIGNING_ALGORITHM_${a}` }),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
    }
  });
});

const HMACS = [
  ["HMAC_224", "HMAC_SHA_224", "sha224", 28],
  ["HMAC_384", "HMAC_SHA_384", "sha384", 48],
  ["HMAC_512", "HMAC_SHA_512", "sha512", 64],
] as const;

describe.each(HMACS)("KEY_SPEC_%s with %s", (spec, algorithm, hash, bytes) => {
  it("generates a MAC equal to crypto.createHmac over imported material; VerifyMac agrees", async () => {
    const key = await createKey({
      keySpec: `KEY_SPEC_${spec}`,
      keyUsage: "KEY_USAGE_GENERATE_VERIFY_MAC",
      origin: "KEY_ORIGIN_EXTERNAL",
    });
    const material = randomBytes(bytes);
    const params = await c.keys.GetParametersForImport({
      keyId: key.keyId,
      wrappingAlgorithm: "WRAPPING_ALGORITHM_RSAES_OAEP_SHA_256",
      wrappingKeySpec: "WRAPPING_KEY_SPEC_RSA_2048",
    });
    await c.keys.ImportKeyMaterial({
      keyId: key.keyId,
      importToken: params.importToken,
      encryptedKeyMaterial: wrapForImport("RSAES_OAEP_SHA_256", params.publicKey, material),
    });
    const message = randomBytes(4096);
    const out = await c.crypto.GenerateMac({ keyId: key.keyId, message, macAlgorithm: `MAC_ALGORITHM_${algorithm}` });
    expect(out.macAlgorithm).toBe(`MAC_ALGORITHM_${algorithm}`);
    expect((out.mac as Buffer).equals(createHmac(hash, material).update(message).digest())).toBe(true);
    const byDefault = await c.crypto.GenerateMac({ keyId: key.keyId, message });
    expect(byDefault.macAlgorithm).toBe(`MAC_ALGORITHM_${algorithm}`);
    expect((byDefault.mac as Buffer).equals(out.mac as Buffer)).toBe(true);
    const verified = await c.crypto.VerifyMac({ keyId: key.keyId, message, mac: out.mac });
    expect(verified).toMatchObject({ macValid: true, macAlgorithm: `MAC_ALGORITHM_${algorithm}` });
    const wrong = Buffer.from(out.mac as Buffer);
    wrong[0]! ^= 1;
    expect((await c.crypto.VerifyMac({ keyId: key.keyId, message, mac: wrong })).macValid).toBe(false);
  });

  it(`a generated key makes ${bytes}-byte MACs; every other MAC algorithm is InvalidKeyUsageException`, async () => {
    const key = await createKey({ keySpec: `KEY_SPEC_${spec}`, keyUsage: "KEY_USAGE_GENERATE_VERIFY_MAC" });
    expect(key.keySpec).toBe(`KEY_SPEC_${spec}`);
    const out = await c.crypto.GenerateMac({ keyId: key.keyId, message: Buffer.from("m") });
    expect((out.mac as Buffer).length).toBe(bytes);
    for (const other of ["HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"].filter(
      (a) => a !== algorithm,
    )) {
      const req = { keyId: key.keyId, message: Buffer.from("m"), macAlgorithm: `MAC_ALGORITHM_${other}` };
      await expectGrpcError(c.crypto.GenerateMac(req), status.FAILED_PRECONDITION, "InvalidKeyUsageException");
      await expectGrpcError(
        c.crypto.VerifyMac({ ...req, mac: out.mac }),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
    }
  });
});

const AGREEMENT = [
  ["EC_P256", "prime256v1", 32],
  ["EC_P384", "secp384r1", 48],
  ["EC_P521", "secp521r1", 66],
] as const;

describe.each(AGREEMENT)("KEY_SPEC_%s KEY_AGREEMENT: DeriveSharedSecret", (spec, curve, secretBytes) => {
  let key: WireKeyMetadata;
  let publicKey: KeyObject;
  beforeAll(async () => {
    key = await createKey({ keySpec: `KEY_SPEC_${spec}`, keyUsage: "KEY_USAGE_KEY_AGREEMENT" });
    publicKey = (await publicKeyOf(key.keyId)).key;
  });

  it("GetPublicKey lists ECDH and no signing algorithm", async () => {
    expect(key.keyUsage).toBe("KEY_USAGE_KEY_AGREEMENT");
    const { res } = await publicKeyOf(key.keyId);
    expect(res).toMatchObject({
      keyUsage: "KEY_USAGE_KEY_AGREEMENT",
      signingAlgorithms: [],
      keyAgreementAlgorithms: ["KEY_AGREEMENT_ALGORITHM_ECDH"],
    });
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe(curve);
  });

  it("derives the same raw secret crypto.diffieHellman computes with a local pair", async () => {
    const local = generateKeyPairSync("ec", { namedCurve: curve });
    const out = await c.crypto.DeriveSharedSecret({ keyId: key.keyId, publicKey: spki(local.publicKey) });
    expect(out).toMatchObject({
      keyId: key.keyId,
      keyVersionId: key.primaryKeyVersionId,
      keyAgreementAlgorithm: "KEY_AGREEMENT_ALGORITHM_ECDH",
      keyOrigin: "KEY_ORIGIN_AWS_KMS",
    });
    expect(out.sharedSecret.length).toBe(secretBytes);
    expect(out.sharedSecret.equals(diffieHellman({ privateKey: local.privateKey, publicKey }))).toBe(true);
    const explicit = await c.crypto.DeriveSharedSecret({
      keyId: key.keyId,
      publicKey: spki(local.publicKey),
      keyAgreementAlgorithm: "KEY_AGREEMENT_ALGORITHM_ECDH",
    });
    expect(explicit.sharedSecret.equals(out.sharedSecret)).toBe(true);
    const another = generateKeyPairSync("ec", { namedCurve: curve });
    const other = await c.crypto.DeriveSharedSecret({ keyId: key.keyId, publicKey: spki(another.publicKey) });
    expect(other.sharedSecret.equals(out.sharedSecret)).toBe(false);
  });

  it("a public key on another curve, of another type, or not SPKI is INVALID_ARGUMENT ValidationException", async () => {
    const otherCurve = curve === "secp384r1" ? "prime256v1" : "secp384r1";
    const local = spki(generateKeyPairSync("ec", { namedCurve: curve }).publicKey);
    const bad = [
      spki(generateKeyPairSync("ec", { namedCurve: otherCurve }).publicKey),
      spki(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey),
      spki(generateKeyPairSync("ed25519").publicKey),
      spki(generateKeyPairSync("x25519").publicKey),
      local.subarray(0, local.length - 1),
      Buffer.from("not a key"),
      Buffer.alloc(0),
    ];
    for (const peer of bad) {
      await expectGrpcError(
        c.crypto.DeriveSharedSecret({ keyId: key.keyId, publicKey: peer }),
        status.INVALID_ARGUMENT,
        "ValidationException",
      );
    }
  });

  it("Sign with a KEY_AGREEMENT key is InvalidKeyUsageException", async () => {
    await expectGrpcError(
      c.crypto.Sign({ keyId: key.keyId, message: Buffer.from("m") }),
      status.FAILED_PRECONDITION,
      "InvalidKeyUsageException",
    );
  });
});

describe("CreateKey refuses usages a spec does not have (INVALID_ARGUMENT ValidationException)", () => {
  it.each([
    ["KEY_SPEC_EC_P256K", "KEY_USAGE_KEY_AGREEMENT"],
    ["KEY_SPEC_ED25519", "KEY_USAGE_KEY_AGREEMENT"],
    ["KEY_SPEC_ED25519", "KEY_USAGE_ENCRYPT_DECRYPT"],
    ["KEY_SPEC_HMAC_384", "KEY_USAGE_SIGN_VERIFY"],
    ["KEY_SPEC_EC_P521", "KEY_USAGE_ENCRYPT_DECRYPT"],
    ["KEY_SPEC_RSA_2048", "KEY_USAGE_KEY_AGREEMENT"],
    ["KEY_SPEC_AES_256", "KEY_USAGE_KEY_AGREEMENT"],
  ])("%s with %s", async (keySpec, keyUsage) => {
    await expectGrpcError(c.keys.CreateKey({ keySpec, keyUsage }), status.INVALID_ARGUMENT, "ValidationException");
  });

  it("DeriveSharedSecret with a symmetric or HMAC key is InvalidKeyUsageException", async () => {
    const peer = spki(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey);
    for (const k of [
      { keySpec: "KEY_SPEC_AES_256" },
      { keySpec: "KEY_SPEC_HMAC_512", keyUsage: "KEY_USAGE_GENERATE_VERIFY_MAC" },
    ]) {
      const key = await createKey(k);
      await expectGrpcError(
        c.crypto.DeriveSharedSecret({ keyId: key.keyId, publicKey: peer }),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
    }
  });
});
