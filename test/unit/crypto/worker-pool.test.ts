import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { KeyPairSpec } from "../../../src/domain/types.js";
import { type GeneratedKeyPair, generateKeyPairSync } from "../../../src/crypto/key-pairs.js";
import { createInlineKeyPairGenerator, createWorkerKeyPairGenerator } from "../../../src/crypto/pool/worker-pool.js";

/** The classical pair specs (ML-KEM pairs are checked end to end in test/e2e/post-quantum.test.ts). */
type ClassicalPairSpec = Exclude<KeyPairSpec, "ML_KEM_512" | "ML_KEM_768" | "ML_KEM_1024">;

const EXPECTED: Record<ClassicalPairSpec, { type: string; bits?: number; curve?: string }> = {
  RSA_2048: { type: "rsa", bits: 2048 },
  RSA_3072: { type: "rsa", bits: 3072 },
  RSA_4096: { type: "rsa", bits: 4096 },
  EC_P256: { type: "ec", curve: "prime256v1" },
  EC_P256K: { type: "ec", curve: "secp256k1" },
  EC_P384: { type: "ec", curve: "secp384r1" },
  EC_P521: { type: "ec", curve: "secp521r1" },
  ED25519: { type: "ed25519" },
};

/** The digest a pair of this spec signs with in the check below (Ed25519 hashes inside: `null`). */
const digestOf = (spec: ClassicalPairSpec) => (spec === "ED25519" ? null : "sha256");

function checkPair(spec: ClassicalPairSpec, pair: GeneratedKeyPair): void {
  expect(Buffer.isBuffer(pair.publicKeyDer)).toBe(true);
  expect(Buffer.isBuffer(pair.privateKeyDer)).toBe(true);
  const pub = createPublicKey({ key: pair.publicKeyDer, format: "der", type: "spki" });
  const priv = createPrivateKey({ key: pair.privateKeyDer, format: "der", type: "pkcs8" });
  const want = EXPECTED[spec];
  expect(pub.asymmetricKeyType).toBe(want.type);
  expect(pub.asymmetricKeyDetails?.modulusLength).toBe(want.bits);
  expect(pub.asymmetricKeyDetails?.namedCurve).toBe(want.curve);
  if (want.type === "rsa") {
    expect(pub.asymmetricKeyDetails?.publicExponent).toBe(65537n);
  }
  const message = Buffer.from(`pair for ${spec}`);
  const digest = digestOf(spec);
  expect(verify(digest, message, pub, sign(digest, message, priv))).toBe(true);
  // A key of the same kind that is not this pair's: shows the match check above can fail.
  const stranger = strangerFor(spec);
  expect(verify(digest, message, pub, sign(digest, message, stranger))).toBe(false);
}

const strangers = new Map<KeyPairSpec, ReturnType<typeof createPrivateKey>>();
function strangerFor(spec: KeyPairSpec) {
  const kind = spec.startsWith("RSA") ? "RSA_2048" : spec;
  if (!strangers.has(kind)) {
    strangers.set(
      kind,
      createPrivateKey({ key: generateKeyPairSync(kind).privateKeyDer, format: "der", type: "pkcs8" }),
    );
  }
  return strangers.get(kind)!;
}

describe("worker key-pair generator", () => {
  const pool = createWorkerKeyPairGenerator({ threads: 2 });
  afterAll(() => pool.close());

  it("generates every classical KeyPairSpec on worker threads, as matching SPKI / PKCS#8 DER", async () => {
    const specs = Object.keys(EXPECTED) as ClassicalPairSpec[];
    const pairs = await Promise.all(specs.map((s) => pool.generate(s)));
    specs.forEach((spec, i) => checkPair(spec, pairs[i]!));
  });

  it("rejects a job whose signal aborted before it started with AbortError, and keeps working", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(pool.generate("EC_P256", controller.signal)).rejects.toMatchObject({ name: "AbortError" });
    checkPair("EC_P256", await pool.generate("EC_P256"));
  });

  it("drops a queued job aborted while both threads are busy; the running jobs finish", async () => {
    const busy = [pool.generate("RSA_3072"), pool.generate("RSA_3072")];
    const controller = new AbortController();
    const queued = pool.generate("RSA_2048", controller.signal);
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: "AbortError" });
    for (const pair of await Promise.all(busy)) {
      checkPair("RSA_3072", pair);
    }
    checkPair("EC_P256K", await pool.generate("EC_P256K"));
  });
});

describe("inline key-pair generator (tests only)", () => {
  it("generates on the calling thread and honours an aborted signal", async () => {
    const inline = createInlineKeyPairGenerator();
    checkPair("EC_P256", await inline.generate("EC_P256"));
    const controller = new AbortController();
    controller.abort();
    await expect(inline.generate("EC_P256", controller.signal)).rejects.toMatchObject({ name: "AbortError" });
    await inline.close();
  });
});
