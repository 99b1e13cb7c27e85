import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync as nodeGenerate,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KeySpec, SigningAlgorithm } from "../../../src/domain/types.js";
import { generateKeyPairSync } from "../../../src/crypto/key-pairs.js";
import { signRsaPkcs1Digest, verifyRsaPkcs1Digest } from "../../../src/crypto/rsa-digest.js";
import {
  defaultSigningAlgorithm,
  sign,
  signingAlgorithmsFor,
  verify,
  signMessage,
  verifyMessage,
} from "../../../src/crypto/signing.js";
import { expectKmsError, flip } from "./helpers.js";

type SigningSpec = "RSA_2048" | "RSA_3072" | "EC_P256" | "EC_P256K" | "EC_P384" | "EC_P521";
const SPECS: SigningSpec[] = ["RSA_2048", "RSA_3072", "EC_P256", "EC_P256K", "EC_P384", "EC_P521"];
const pairs = Object.fromEntries(SPECS.map((s) => [s, generateKeyPairSync(s)])) as Record<
  SigningSpec,
  ReturnType<typeof generateKeyPairSync>
>;

/** The RSA and EC schemes (ML-DSA is tested end to end in test/e2e/post-quantum.test.ts). */
type ClassicalAlgorithm = Exclude<SigningAlgorithm, "ML_DSA_SHAKE_256">;

const HASH: Record<ClassicalAlgorithm, string> = {
  RSASSA_PSS_SHA_256: "sha256",
  RSASSA_PSS_SHA_384: "sha384",
  RSASSA_PSS_SHA_512: "sha512",
  RSASSA_PKCS1_V1_5_SHA_256: "sha256",
  RSASSA_PKCS1_V1_5_SHA_384: "sha384",
  RSASSA_PKCS1_V1_5_SHA_512: "sha512",
  ECDSA_SHA_256: "sha256",
  ECDSA_SHA_384: "sha384",
  ECDSA_SHA_512: "sha512",
  ED25519_SHA_512: "sha512",
  ED25519_PH_SHA_512: "sha512",
};

/** Node's own options for an algorithm: the independent reference the tests check against. */
function nodeOptions(algorithm: ClassicalAlgorithm): object {
  if (algorithm.startsWith("RSASSA_PSS")) {
    const saltLength = createHash(HASH[algorithm]).digest().length;
    return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
  }
  if (algorithm.startsWith("RSASSA_PKCS1")) {
    return { padding: constants.RSA_PKCS1_PADDING };
  }
  return { dsaEncoding: "der" };
}

const cases = SPECS.flatMap((spec) =>
  signingAlgorithmsFor(spec).map((algorithm) => ({ spec, algorithm: algorithm as ClassicalAlgorithm })),
);
const message = Buffer.from("The quick brown fox jumps over the lazy dog");

describe("algorithm lists", () => {
  it("lists the six RSASSA schemes for RSA, the curve's ECDSA for EC, EdDSA for Ed25519, nothing for symmetric keys", () => {
    for (const spec of ["RSA_2048", "RSA_3072", "RSA_4096"] as KeySpec[]) {
      expect(signingAlgorithmsFor(spec).sort()).toEqual(
        [
          "RSASSA_PKCS1_V1_5_SHA_256",
          "RSASSA_PKCS1_V1_5_SHA_384",
          "RSASSA_PKCS1_V1_5_SHA_512",
          "RSASSA_PSS_SHA_256",
          "RSASSA_PSS_SHA_384",
          "RSASSA_PSS_SHA_512",
        ].sort(),
      );
    }
    expect(signingAlgorithmsFor("EC_P256")).toEqual(["ECDSA_SHA_256"]);
    expect(signingAlgorithmsFor("EC_P256K")).toEqual(["ECDSA_SHA_256"]);
    expect(signingAlgorithmsFor("EC_P384")).toEqual(["ECDSA_SHA_384"]);
    expect(signingAlgorithmsFor("EC_P521")).toEqual(["ECDSA_SHA_512"]);
    expect(signingAlgorithmsFor("ED25519")).toEqual(["ED25519_SHA_512", "ED25519_PH_SHA_512"]);
    expect(signingAlgorithmsFor("AES_256")).toEqual([]);
    expect(signingAlgorithmsFor("HMAC_512")).toEqual([]);
    expect(signingAlgorithmsFor("HMAC_256")).toEqual([]);
  });

  it("defaults to PSS-SHA-256 for RSA and ECDSA for EC; refuses symmetric keys", () => {
    expect(defaultSigningAlgorithm("RSA_4096")).toBe("RSASSA_PSS_SHA_256");
    expect(defaultSigningAlgorithm("EC_P256K")).toBe("ECDSA_SHA_256");
    expect(defaultSigningAlgorithm("EC_P521")).toBe("ECDSA_SHA_512");
    expect(defaultSigningAlgorithm("ED25519")).toBe("ED25519_SHA_512");
    expectKmsError(() => defaultSigningAlgorithm("AES_256"), "InvalidKeyUsage");
  });
});

describe.each(cases)("$algorithm with $spec", ({ spec, algorithm }) => {
  const { publicKeyDer, privateKeyDer } = pairs[spec];
  const publicKey = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  const privateKey = createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" });
  const digest = createHash(HASH[algorithm]).update(message).digest();
  const isEc = algorithm.startsWith("ECDSA");
  const isPkcs1 = algorithm.startsWith("RSASSA_PKCS1");

  it("RAW: our signature verifies with crypto.verify, and crypto.sign's verifies with ours", () => {
    const ours = sign({ spec, privateKeyDer, algorithm, message, messageType: "RAW" });
    expect(nodeVerify(HASH[algorithm], message, { key: publicKey, ...nodeOptions(algorithm) }, ours)).toBe(true);
    const theirs = nodeSign(HASH[algorithm], message, { key: privateKey, ...nodeOptions(algorithm) });
    expect(verify({ spec, publicKeyDer, algorithm, message, messageType: "RAW", signature: theirs })).toBe(true);
    if (isEc) {
      expect(ours[0]).toBe(0x30);
    }
  });

  it("DIGEST: signing the digest equals signing the message, both ways", async () => {
    const ours = await signMessage({ spec, privateKeyDer, algorithm, message: digest, messageType: "DIGEST" });
    expect(nodeVerify(HASH[algorithm], message, { key: publicKey, ...nodeOptions(algorithm) }, ours)).toBe(true);
    expect(verify({ spec, publicKeyDer, algorithm, message, messageType: "RAW", signature: ours })).toBe(true);
    const theirs = nodeSign(HASH[algorithm], message, { key: privateKey, ...nodeOptions(algorithm) });
    const digestOpts = { spec, publicKeyDer, algorithm, message: digest, messageType: "DIGEST" } as const;
    expect(await verifyMessage({ ...digestOpts, signature: theirs })).toBe(true);
    const raw = sign({ spec, privateKeyDer, algorithm, message, messageType: "RAW" });
    expect(await verifyMessage({ ...digestOpts, signature: raw })).toBe(true);
  });

  it("returns false, without throwing, for a wrong message, flipped, truncated or garbage signature", () => {
    const types = isPkcs1 ? (["RAW", "DIGEST"] as const) : (["RAW"] as const);
    for (const messageType of types) {
      const m = messageType === "RAW" ? message : digest;
      const sig = sign({ spec, privateKeyDer, algorithm, message: m, messageType });
      const other = messageType === "RAW" ? Buffer.from("another message") : flip(digest, 0, 1);
      const base = { spec, publicKeyDer, algorithm, messageType };
      expect(verify({ ...base, message: m, signature: sig })).toBe(true);
      expect(verify({ ...base, message: other, signature: sig })).toBe(false);
      expect(verify({ ...base, message: m, signature: flip(sig, sig.length - 1, 1) })).toBe(false);
      expect(verify({ ...base, message: m, signature: flip(sig, 10, 0x80) })).toBe(false);
      expect(verify({ ...base, message: m, signature: sig.subarray(1) })).toBe(false);
      expect(verify({ ...base, message: m, signature: Buffer.alloc(0) })).toBe(false);
      expect(verify({ ...base, message: m, signature: Buffer.alloc(sig.length, 0xff) })).toBe(false);
    }
  });

  it("refuses RAW messages outside 1..4096 bytes and digests of the wrong length", () => {
    const base = { spec, privateKeyDer, algorithm };
    expectKmsError(() => sign({ ...base, message: Buffer.alloc(0), messageType: "RAW" }), "InvalidArgument");
    expectKmsError(() => sign({ ...base, message: Buffer.alloc(4097), messageType: "RAW" }), "InvalidArgument");
    expect(sign({ ...base, message: Buffer.alloc(4096), messageType: "RAW" }).length).toBeGreaterThan(0);
    expectKmsError(() => sign({ ...base, message: digest.subarray(1), messageType: "DIGEST" }), "InvalidArgument");
    expectKmsError(
      () => sign({ ...base, message: Buffer.concat([digest, digest]), messageType: "DIGEST" }),
      "InvalidArgument",
    );
    const vbase = { spec, publicKeyDer, algorithm, signature: Buffer.alloc(8) };
    expectKmsError(() => verify({ ...vbase, message: digest.subarray(1), messageType: "DIGEST" }), "InvalidArgument");
  });
});

describe("algorithm / spec mismatches", () => {
  it("refuses an algorithm the spec does not support with InvalidKeyUsage", () => {
    const rsa = pairs.RSA_2048;
    const ec = pairs.EC_P256;
    expectKmsError(
      () =>
        sign({
          spec: "RSA_2048",
          privateKeyDer: rsa.privateKeyDer,
          algorithm: "ECDSA_SHA_256",
          message,
          messageType: "RAW",
        }),
      "InvalidKeyUsage",
    );
    expectKmsError(
      () =>
        sign({
          spec: "EC_P256",
          privateKeyDer: ec.privateKeyDer,
          algorithm: "RSASSA_PSS_SHA_256",
          message,
          messageType: "RAW",
        }),
      "InvalidKeyUsage",
    );
    expectKmsError(
      () =>
        verify({
          spec: "EC_P256K",
          publicKeyDer: pairs.EC_P256K.publicKeyDer,
          algorithm: "RSASSA_PKCS1_V1_5_SHA_256",
          message,
          messageType: "RAW",
          signature: Buffer.alloc(64),
        }),
      "InvalidKeyUsage",
    );
    expectKmsError(
      () =>
        sign({
          spec: "AES_256",
          privateKeyDer: Buffer.alloc(32),
          algorithm: "ECDSA_SHA_256",
          message,
          messageType: "RAW",
        }),
      "InvalidKeyUsage",
    );
  });

  it("reports PSS over a digest as UnsupportedOperation (no hand-written EMSA-PSS)", () => {
    const digest = createHash("sha256").update(message).digest();
    const rsa = pairs.RSA_2048;
    expectKmsError(
      () =>
        sign({
          spec: "RSA_2048",
          privateKeyDer: rsa.privateKeyDer,
          algorithm: "RSASSA_PSS_SHA_256",
          message: digest,
          messageType: "DIGEST",
        }),
      "UnsupportedOperation",
    );
  });

  it("reports ECDSA over a digest as UnsupportedOperation (Node 20 cannot sign a prehash)", () => {
    const digest = createHash("sha256").update(message).digest();
    const ec = pairs.EC_P256;
    expectKmsError(
      () =>
        sign({
          spec: "EC_P256",
          privateKeyDer: ec.privateKeyDer,
          algorithm: "ECDSA_SHA_256",
          message: digest,
          messageType: "DIGEST",
        }),
      "UnsupportedOperation",
    );
  });
});

describe("Ed25519", () => {
  const { publicKeyDer, privateKeyDer } = generateKeyPairSync("ED25519");
  const publicKey = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  const privateKey = createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" });
  const spec = "ED25519" as const;

  it("ED25519_SHA_512 over RAW: a 64-byte RFC 8032 signature that crypto.verify accepts, and back", async () => {
    const ours = await signMessage({ spec, privateKeyDer, algorithm: "ED25519_SHA_512", message, messageType: "RAW" });
    expect(ours.length).toBe(64);
    expect(nodeVerify(null, message, publicKey, ours)).toBe(true);
    // PureEdDSA is deterministic: Node's own signature is the same bytes.
    expect(nodeSign(null, message, privateKey).equals(ours)).toBe(true);
    const base = { spec, publicKeyDer, algorithm: "ED25519_SHA_512", messageType: "RAW" } as const;
    expect(await verifyMessage({ ...base, message, signature: ours })).toBe(true);
    expect(await verifyMessage({ ...base, message: Buffer.from("another"), signature: ours })).toBe(false);
    expect(await verifyMessage({ ...base, message, signature: flip(ours, 63, 1) })).toBe(false);
    expect(await verifyMessage({ ...base, message, signature: ours.subarray(1) })).toBe(false);
  });

  it("ED25519_SHA_512 takes RAW only: a DIGEST is InvalidArgument", async () => {
    const digest = createHash("sha512").update(message).digest();
    const p = { spec, privateKeyDer, algorithm: "ED25519_SHA_512", message: digest, messageType: "DIGEST" } as const;
    await expect(signMessage(p)).rejects.toMatchObject({ code: "InvalidArgument" });
  });

  it("ED25519_PH_SHA_512 over a DIGEST is UnsupportedOperation (no Ed25519ph in node:crypto); over RAW InvalidArgument", async () => {
    const digest = createHash("sha512").update(message).digest();
    const base = { spec, privateKeyDer, algorithm: "ED25519_PH_SHA_512" } as const;
    await expect(signMessage({ ...base, message: digest, messageType: "DIGEST" })).rejects.toMatchObject({
      code: "UnsupportedOperation",
    });
    await expect(
      verifyMessage({
        spec,
        publicKeyDer,
        algorithm: "ED25519_PH_SHA_512",
        message: digest,
        messageType: "DIGEST",
        signature: Buffer.alloc(64),
      }),
    ).rejects.toMatchObject({ code: "UnsupportedOperation" });
    await expect(signMessage({ ...base, message, messageType: "RAW" })).rejects.toMatchObject({
      code: "InvalidArgument",
    });
  });

  it("ECDSA and RSA algorithms do not fit an Ed25519 key, nor Ed25519 an EC key: InvalidKeyUsage", () => {
    expectKmsError(
      () => sign({ spec, privateKeyDer, algorithm: "ECDSA_SHA_512", message, messageType: "RAW" }),
      "InvalidKeyUsage",
    );
    expectKmsError(
      () =>
        sign({
          spec: "EC_P384",
          privateKeyDer: pairs.EC_P384.privateKeyDer,
          algorithm: "ED25519_SHA_512",
          message,
          messageType: "RAW",
        }),
      "InvalidKeyUsage",
    );
    expectKmsError(
      () =>
        sign({
          spec: "EC_P384",
          privateKeyDer: pairs.EC_P384.privateKeyDer,
          algorithm: "ECDSA_SHA_256",
          message,
          messageType: "RAW",
        }),
      "InvalidKeyUsage",
    );
  });
});

describe("RSA digest encoding at awkward modulus sizes", () => {
  // emLen < k when modBits ≡ 1 (mod 8); the top-bit mask varies with modBits mod 8.
  it.each([1025, 1031, 1032, 1033])("PKCS#1 v1.5 over a digest equals OpenSSL's signature at %i bits", (bits) => {
    const { privateKey, publicKey } = nodeGenerate("rsa", { modulusLength: bits });
    for (const hash of ["sha256", "sha384", "sha512"] as const) {
      const digest = createHash(hash).update(message).digest();
      const pkcs1 = signRsaPkcs1Digest(privateKey, hash, digest);
      expect(pkcs1.equals(nodeSign(hash, message, { key: privateKey, padding: constants.RSA_PKCS1_PADDING }))).toBe(
        true,
      );
      expect(verifyRsaPkcs1Digest(publicKey, hash, digest, pkcs1)).toBe(true);
      expect(verifyRsaPkcs1Digest(publicKey, hash, flip(digest, 0, 1), pkcs1)).toBe(false);
    }
  });

  it("PSS verification insists on salt length = hash length", () => {
    const { privateKey, publicKey } = nodeGenerate("rsa", { modulusLength: 2048 });
    const shortSalt = nodeSign("sha256", message, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 20,
    });
    const spki = publicKey.export({ type: "spki", format: "der" });
    expect(
      verify({
        spec: "RSA_2048",
        publicKeyDer: spki,
        algorithm: "RSASSA_PSS_SHA_256",
        message,
        messageType: "RAW",
        signature: shortSalt,
      }),
    ).toBe(false);
  });
});

describe("signMessage / verifyMessage: every algorithm over a digest, PSS and ECDSA through OpenSSL's prehash signing", () => {
  const cases = [
    ["RSA_2048", "RSASSA_PSS_SHA_256", "sha256"],
    ["RSA_2048", "RSASSA_PSS_SHA_384", "sha384"],
    ["RSA_3072", "RSASSA_PSS_SHA_512", "sha512"],
    ["RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384", "sha384"],
    ["EC_P256", "ECDSA_SHA_256", "sha256"],
    ["EC_P256K", "ECDSA_SHA_256", "sha256"],
    ["EC_P384", "ECDSA_SHA_384", "sha384"],
    ["EC_P521", "ECDSA_SHA_512", "sha512"],
  ] as const;

  it.each(cases)(
    "%s %s: a DIGEST signature verifies over the message with node:crypto, and back",
    async (spec, algorithm, hash) => {
      const { privateKeyDer, publicKeyDer } = pairs[spec];
      const publicKey = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
      const digest = createHash(hash).update(message).digest();
      const ours = await signMessage({ spec, privateKeyDer, algorithm, message: digest, messageType: "DIGEST" });
      expect(nodeVerify(hash, message, { key: publicKey, ...nodeOptions(algorithm) }, ours)).toBe(true);
      expect(
        await verifyMessage({ spec, publicKeyDer, algorithm, message: digest, messageType: "DIGEST", signature: ours }),
      ).toBe(true);
      const wrongDigest = createHash(hash).update("another message").digest();
      expect(
        await verifyMessage({
          spec,
          publicKeyDer,
          algorithm,
          message: wrongDigest,
          messageType: "DIGEST",
          signature: ours,
        }),
      ).toBe(false);
      const theirs = nodeSign(hash, message, {
        key: createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" }),
        ...nodeOptions(algorithm),
      });
      expect(
        await verifyMessage({
          spec,
          publicKeyDer,
          algorithm,
          message: digest,
          messageType: "DIGEST",
          signature: theirs,
        }),
      ).toBe(true);
      expect(
        await verifyMessage({
          spec,
          publicKeyDer,
          algorithm,
          message: digest,
          messageType: "DIGEST",
          signature: Buffer.alloc(theirs.length, 1),
        }),
      ).toBe(false);
    },
  );

  it("still refuses a digest of the wrong length before running anything", async () => {
    const { privateKeyDer } = pairs.EC_P256;
    await expect(
      signMessage({
        spec: "EC_P256",
        privateKeyDer,
        algorithm: "ECDSA_SHA_256",
        message: Buffer.alloc(31),
        messageType: "DIGEST",
      }),
    ).rejects.toMatchObject({ code: "InvalidArgument" });
  });
});
