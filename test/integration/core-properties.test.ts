import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDataKey, generateDataKeyPair } from "../../src/core/data-keys/data-keys.js";
import { advanceDecrypt, advanceEncrypt, decrypt, encrypt } from "../../src/core/crypto-ops/encryption.js";
import { INVALID_CIPHERTEXT_MESSAGE, type KmsCode, KmsError } from "../../src/domain/errors.js";
import { createKey } from "../../src/core/keys/keys.js";
import { rotateKey } from "../../src/core/rotation/rotation.js";
import type { EncryptionContext, KeyRecord } from "../../src/domain/types.js";
import { adminCall, type CoreFixture, createCoreFixture } from "../helpers/core-fixture.js";

/**
 * Property tests through core with the real SQLite store and real crypto: what goes in comes
 * out, and any change to a ciphertext or its binding is refused with `InvalidCiphertext` and the
 * one fixed message — never another code, never a crash, never a hint of which check failed.
 */

const RUNS = 120;

let fx: CoreFixture;
let key: KeyRecord;
let other: KeyRecord;
let rsa: KeyRecord;
/** Every InvalidCiphertext message seen in this file: the no-oracle property wants exactly one. */
const seenMessages = new Set<string>();

/** Awaits a rejection and returns the KmsError, failing with what happened otherwise. */
async function rejection(promise: Promise<unknown>): Promise<KmsError> {
  let outcome: unknown;
  try {
    await promise;
  } catch (err) {
    outcome = err;
  }
  if (!(outcome instanceof KmsError)) {
    throw new Error(`expected a KmsError, got ${outcome === undefined ? "success" : String(outcome)}`);
  }
  if (outcome.code === "InvalidCiphertext") seenMessages.add(outcome.message);
  return outcome;
}

async function expectCode(promise: Promise<unknown>, code: KmsCode): Promise<void> {
  const err = await rejection(promise);
  expect(err.code, err.message).toBe(code);
}

const plaintextArb = fc.uint8Array({ minLength: 1, maxLength: 4096 });
const aadArb = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ minLength: 0, maxLength: 64 }),
  fc.uint8Array({ minLength: 0, maxLength: 8192 }),
);
const textArb = (minLength: number) =>
  fc.oneof(
    fc.string({ unit: "grapheme", minLength, maxLength: 12 }),
    fc.string({ unit: "binary-ascii", minLength, maxLength: 12 }),
    fc.constantFrom(...(minLength === 0 ? ["", "é", "😀", "\u0000", "a=b"] : ["é", "😀", "\u0000", "a=b", "k"])),
  );
/** Encryption contexts: unicode keys (non-empty, as the validator demands) and values incl. empty. */
/** Context keys: any text but `__proto__`, which is refused outright (see the test below). */
const contextKeyArb = textArb(1).filter((k) => k !== "__proto__");
const contextArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(contextKeyArb, textArb(0), {
  maxKeys: 6,
  noNullPrototype: true,
});

/** Order-independent equality, as the canonical encoding defines it. */
function sameContext(a: EncryptionContext, b: EncryptionContext): boolean {
  const norm = (c: EncryptionContext) => JSON.stringify(Object.entries(c).sort(([x], [y]) => (x < y ? -1 : 1)));
  return norm(a) === norm(b);
}

/** A copy of `buf` with byte `index` (mod length) XORed with a non-zero `delta`. */
function changeByte(buf: Uint8Array, index: number, delta: number): Buffer {
  const out = Buffer.from(buf);
  const at = index % out.length;
  out[at] = out[at]! ^ delta;
  return out;
}
const deltaArb = fc.integer({ min: 1, max: 255 });

beforeAll(async () => {
  fx = await createCoreFixture();
  key = await createKey(fx.deps, adminCall(), { description: "properties" });
  other = await createKey(fx.deps, adminCall(), {});
  rsa = await createKey(fx.deps, adminCall(), { spec: "RSA_2048", usage: "ENCRYPT_DECRYPT" });
  // A second version, so that initial and primary differ and each form must pick the right one.
  key = (await rotateKey(fx.deps, adminCall(), key.id)).key;
  expect(key.primaryVersionId).not.toBe(key.initialVersionId);
});

afterAll(async () => {
  await fx?.close();
});

describe("round trips", () => {
  it("Encrypt → Decrypt (raw form, initial version) returns the plaintext", async () => {
    await fc.assert(
      fc.asyncProperty(plaintextArb, aadArb, contextArb, async (plaintext, aad, context) => {
        const enc = await encrypt(fx.deps, adminCall(), { keyRef: key.id, plaintext, aad, context });
        expect(enc.versionId).toBe(key.initialVersionId);
        expect(enc.iv.length).toBe(12);
        expect(enc.algorithm).toBe("AES_GCM");
        expect(enc.ciphertextBlob.length).toBe(32 + plaintext.length + 16);
        const dec = await decrypt(fx.deps, adminCall(), {
          ciphertextBlob: enc.ciphertextBlob,
          keyRef: key.id,
          iv: enc.iv,
          algorithm: enc.algorithm,
          aad,
          context: { ...context },
        });
        expect(dec.keyId).toBe(key.id);
        expect(dec.versionId).toBe(key.initialVersionId);
        expect(Buffer.compare(dec.plaintext, Buffer.from(plaintext))).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it("AdvanceEncrypt → AdvanceDecrypt and Decrypt (blob, primary version) return the plaintext", async () => {
    await fc.assert(
      fc.asyncProperty(plaintextArb, aadArb, contextArb, async (plaintext, aad, context) => {
        const enc = await advanceEncrypt(fx.deps, adminCall(), { keyRef: key.id, plaintext, aad, context });
        expect(enc.versionId).toBe(key.primaryVersionId);
        const viaAdvance = await advanceDecrypt(fx.deps, adminCall(), {
          ciphertextBlob: enc.ciphertextBlob,
          aad,
          context,
        });
        expect(viaAdvance.versionId).toBe(key.primaryVersionId);
        expect(Buffer.compare(viaAdvance.plaintext, Buffer.from(plaintext))).toBe(0);
        const viaDecrypt = await decrypt(fx.deps, adminCall(), { ciphertextBlob: enc.ciphertextBlob, aad, context });
        expect(viaDecrypt.keyId).toBe(key.id);
        expect(Buffer.compare(viaDecrypt.plaintext, Buffer.from(plaintext))).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it("GenerateDataKey → Decrypt / AdvanceDecrypt return the data key, of the asked size", async () => {
    const sizeArb = fc.oneof(
      fc.record({ keySpec: fc.constantFrom("AES_256" as const, "AES_128" as const) }),
      fc.record({ numberOfBytes: fc.integer({ min: 1, max: 1024 }) }),
    );
    await fc.assert(
      fc.asyncProperty(sizeArb, aadArb, contextArb, async (size, aad, context) => {
        const out = await generateDataKey(fx.deps, adminCall(), { keyRef: key.id, ...size, aad, context }, true);
        const expected = "keySpec" in size ? (size.keySpec === "AES_128" ? 16 : 32) : size.numberOfBytes;
        expect(out.plaintext?.length).toBe(expected);
        expect(out.versionId).toBe(key.primaryVersionId);
        const a = await decrypt(fx.deps, adminCall(), { ciphertextBlob: out.ciphertextBlob, aad, context });
        const b = await advanceDecrypt(fx.deps, adminCall(), { ciphertextBlob: out.ciphertextBlob, aad, context });
        expect(Buffer.compare(a.plaintext, out.plaintext!)).toBe(0);
        expect(Buffer.compare(b.plaintext, out.plaintext!)).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it("the order in which a context lists its entries does not matter", async () => {
    await fc.assert(
      fc.asyncProperty(plaintextArb, contextArb, async (plaintext, context) => {
        const reversed = Object.fromEntries(Object.entries(context).reverse());
        const enc = await advanceEncrypt(fx.deps, adminCall(), {
          keyRef: key.id,
          plaintext,
          aad: new Uint8Array(0),
          context,
        });
        const dec = await advanceDecrypt(fx.deps, adminCall(), {
          ciphertextBlob: enc.ciphertextBlob,
          aad: new Uint8Array(0),
          context: reversed,
        });
        expect(Buffer.compare(dec.plaintext, Buffer.from(plaintext))).toBe(0);
      }),
      { numRuns: 50 },
    );
  });
});

describe("tampering is InvalidCiphertext", () => {
  const small = fc.uint8Array({ minLength: 1, maxLength: 256 });

  it("any single-byte change to a self-describing blob (AdvanceDecrypt and Decrypt)", async () => {
    await fc.assert(
      fc.asyncProperty(
        small,
        aadArb,
        contextArb,
        fc.nat(),
        deltaArb,
        fc.boolean(),
        async (plaintext, aad, context, i, d, fromDataKey) => {
          const enc = fromDataKey
            ? await generateDataKey(
                fx.deps,
                adminCall(),
                { keyRef: key.id, numberOfBytes: plaintext.length, aad, context },
                false,
              )
            : await advanceEncrypt(fx.deps, adminCall(), { keyRef: key.id, plaintext, aad, context });
          const bad = changeByte(enc.ciphertextBlob, i, d);
          await expectCode(
            advanceDecrypt(fx.deps, adminCall(), { ciphertextBlob: bad, aad, context }),
            "InvalidCiphertext",
          );
          await expectCode(decrypt(fx.deps, adminCall(), { ciphertextBlob: bad, aad, context }), "InvalidCiphertext");
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("any single-byte change to a data key pair's wrapped private key (raw form and blob)", async () => {
    const pair = await generateDataKeyPair(
      fx.deps,
      adminCall(),
      { keyRef: key.id, pairSpec: "EC_P256", format: "DER", aad: Buffer.from("pair"), context: { p: "1" } },
      { advance: false, withPlaintext: true },
    );
    const advPair = await generateDataKeyPair(
      fx.deps,
      adminCall(),
      { keyRef: key.id, pairSpec: "EC_P256", format: "PEM", aad: Buffer.from("pair"), context: { p: "1" } },
      { advance: true, withPlaintext: true },
    );
    const bind = { aad: Buffer.from("pair"), context: { p: "1" } };
    const raw = (ciphertextBlob: Buffer, iv: Buffer) =>
      decrypt(fx.deps, adminCall(), { ciphertextBlob, keyRef: key.id, iv, ...bind });
    expect((await raw(pair.privateKeyCiphertextBlob, pair.iv)).plaintext.equals(pair.privateKeyPlaintext!)).toBe(true);
    const opened = await advanceDecrypt(fx.deps, adminCall(), {
      ciphertextBlob: advPair.privateKeyCiphertextBlob,
      ...bind,
    });
    expect(opened.plaintext.equals(advPair.privateKeyPlaintext!)).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("blob", "iv", "advance"), fc.nat(), deltaArb, async (where, i, d) => {
        const attempt =
          where === "advance"
            ? advanceDecrypt(fx.deps, adminCall(), {
                ciphertextBlob: changeByte(advPair.privateKeyCiphertextBlob, i, d),
                ...bind,
              })
            : where === "iv"
              ? raw(pair.privateKeyCiphertextBlob, changeByte(pair.iv, i, d))
              : raw(changeByte(pair.privateKeyCiphertextBlob, i, d), pair.iv);
        await expectCode(attempt, "InvalidCiphertext");
      }),
      { numRuns: 150 },
    );
  });

  it("every single byte of a blob's header is authenticated", async () => {
    const plaintext = Buffer.from("header check");
    const enc = await advanceEncrypt(fx.deps, adminCall(), {
      keyRef: key.id,
      plaintext,
      aad: Buffer.alloc(0),
      context: {},
    });
    const headerLength = 1 + 1 + key.id.length + 1 + key.primaryVersionId.length + 32 + 12;
    for (let i = 0; i < headerLength + 16; i++) {
      const bad = changeByte(enc.ciphertextBlob, i, 0x01);
      await expectCode(
        advanceDecrypt(fx.deps, adminCall(), { ciphertextBlob: bad, aad: Buffer.alloc(0), context: {} }),
        "InvalidCiphertext",
      );
    }
  });

  it("a blob truncated or extended by one byte", async () => {
    await fc.assert(
      fc.asyncProperty(small, fc.integer({ min: 0, max: 255 }), async (plaintext, extra) => {
        const enc = await advanceEncrypt(fx.deps, adminCall(), {
          keyRef: key.id,
          plaintext,
          aad: new Uint8Array(0),
          context: {},
        });
        const none = { aad: new Uint8Array(0), context: {} };
        const shorter = enc.ciphertextBlob.subarray(0, enc.ciphertextBlob.length - 1);
        const longer = Buffer.concat([enc.ciphertextBlob, Buffer.of(extra)]);
        await expectCode(
          advanceDecrypt(fx.deps, adminCall(), { ciphertextBlob: shorter, ...none }),
          "InvalidCiphertext",
        );
        await expectCode(
          advanceDecrypt(fx.deps, adminCall(), { ciphertextBlob: longer, ...none }),
          "InvalidCiphertext",
        );
      }),
      { numRuns: 50 },
    );
  });

  it("any single-byte change to a raw ciphertext_blob or its iv", async () => {
    await fc.assert(
      fc.asyncProperty(
        small,
        aadArb,
        contextArb,
        fc.boolean(),
        fc.nat(),
        deltaArb,
        async (plaintext, aad, context, inIv, i, d) => {
          const enc = await encrypt(fx.deps, adminCall(), { keyRef: key.id, plaintext, aad, context });
          const ciphertextBlob = inIv ? enc.ciphertextBlob : changeByte(enc.ciphertextBlob, i, d);
          const iv = inIv ? changeByte(enc.iv, i, d) : enc.iv;
          await expectCode(
            decrypt(fx.deps, adminCall(), { ciphertextBlob, keyRef: key.id, iv, algorithm: "AES_GCM", aad, context }),
            "InvalidCiphertext",
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("a raw ciphertext opened under another key is InvalidCiphertext", async () => {
    const enc = await encrypt(fx.deps, adminCall(), {
      keyRef: key.id,
      plaintext: Buffer.from("x"),
      aad: Buffer.alloc(0),
      context: {},
    });
    await expectCode(
      decrypt(fx.deps, adminCall(), {
        ciphertextBlob: enc.ciphertextBlob,
        keyRef: other.id,
        iv: enc.iv,
        aad: Buffer.alloc(0),
        context: {},
      }),
      "InvalidCiphertext",
    );
  });

  it("a different aad or encryption context (raw form and blob)", async () => {
    const bindingArb = fc.record({ aad: fc.uint8Array({ maxLength: 64 }), context: contextArb });
    await fc.assert(
      fc.asyncProperty(small, bindingArb, bindingArb, fc.boolean(), async (plaintext, good, bad, aadOnly) => {
        const wrong = aadOnly ? { aad: bad.aad, context: good.context } : { aad: good.aad, context: bad.context };
        fc.pre(!(Buffer.from(wrong.aad).equals(Buffer.from(good.aad)) && sameContext(wrong.context, good.context)));
        const raw = await encrypt(fx.deps, adminCall(), { keyRef: key.id, plaintext, ...good });
        await expectCode(
          decrypt(fx.deps, adminCall(), { ciphertextBlob: raw.ciphertextBlob, keyRef: key.id, iv: raw.iv, ...wrong }),
          "InvalidCiphertext",
        );
        const blob = await advanceEncrypt(fx.deps, adminCall(), { keyRef: key.id, plaintext, ...good });
        await expectCode(
          advanceDecrypt(fx.deps, adminCall(), { ciphertextBlob: blob.ciphertextBlob, ...wrong }),
          "InvalidCiphertext",
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("aad and context are separate inputs: moving bytes between them does not decrypt", async () => {
    const enc = await advanceEncrypt(fx.deps, adminCall(), {
      keyRef: key.id,
      plaintext: Buffer.from("x"),
      aad: Buffer.alloc(0),
      context: { a: "bc" },
    });
    await expectCode(
      advanceDecrypt(fx.deps, adminCall(), {
        ciphertextBlob: enc.ciphertextBlob,
        aad: Buffer.alloc(0),
        context: { ab: "c" },
      }),
      "InvalidCiphertext",
    );
    await expectCode(
      advanceDecrypt(fx.deps, adminCall(), {
        ciphertextBlob: enc.ciphertextBlob,
        aad: Buffer.from("abc"),
        context: {},
      }),
      "InvalidCiphertext",
    );
  });

  it("a raw ciphertext is never accepted as a blob, nor a blob's body as a raw ciphertext", async () => {
    const raw = await encrypt(fx.deps, adminCall(), {
      keyRef: key.id,
      plaintext: Buffer.from("raw"),
      aad: Buffer.alloc(0),
      context: {},
    });
    await expectCode(
      advanceDecrypt(fx.deps, adminCall(), { ciphertextBlob: raw.ciphertextBlob, aad: Buffer.alloc(0), context: {} }),
      "InvalidCiphertext",
    );
    const blob = await advanceEncrypt(fx.deps, adminCall(), {
      keyRef: key.id,
      plaintext: Buffer.from("blob"),
      aad: Buffer.alloc(0),
      context: {},
    });
    // The blob's own salt ‖ ct ‖ tag with its own IV, opened as the raw form under the same key.
    const headerIds = 1 + 1 + key.id.length + 1 + key.primaryVersionId.length;
    const salt = blob.ciphertextBlob.subarray(headerIds, headerIds + 32);
    const iv = blob.ciphertextBlob.subarray(headerIds + 32, headerIds + 44);
    const body = blob.ciphertextBlob.subarray(headerIds + 44);
    await expectCode(
      decrypt(fx.deps, adminCall(), {
        ciphertextBlob: Buffer.concat([salt, body]),
        keyRef: key.id,
        iv,
        aad: Buffer.alloc(0),
        context: {},
      }),
      "InvalidCiphertext",
    );
  });
});

describe("garbage never gives another code", () => {
  /**
   * Core's length rule (`checkLength("ciphertextBlob", …, 1, 6144)` in `core/encryption.ts`):
   * empty or longer than 6144 bytes is `InvalidArgument`; anything else that is not a valid
   * ciphertext is `InvalidCiphertext`.
   */
  const expectedFor = (length: number): KmsCode =>
    length === 0 || length > 6144 ? "InvalidArgument" : "InvalidCiphertext";
  const garbageArb = fc.oneof(
    { weight: 6, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 200 }) },
    { weight: 2, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 7000 }) },
    { weight: 1, arbitrary: fc.constantFrom(new Uint8Array(0), new Uint8Array(6144), new Uint8Array(6145)) },
  );
  const none = { aad: new Uint8Array(0), context: {} };

  it("random bytes into Decrypt (blob path) and AdvanceDecrypt", async () => {
    await fc.assert(
      fc.asyncProperty(garbageArb, async (garbage) => {
        const code = expectedFor(garbage.length);
        await expectCode(decrypt(fx.deps, adminCall(), { ciphertextBlob: garbage, ...none }), code);
        await expectCode(advanceDecrypt(fx.deps, adminCall(), { ciphertextBlob: garbage, ...none }), code);
      }),
      { numRuns: 200 },
    );
  });

  it("random bytes that start like a blob of this key (format byte, real ids) into AdvanceDecrypt", async () => {
    const ids = (keyId: string, versionId: string) =>
      Buffer.concat([
        Buffer.of(1, keyId.length),
        Buffer.from(keyId),
        Buffer.of(versionId.length),
        Buffer.from(versionId),
      ]);
    const prefixArb = fc.constantFrom(
      ids(key.id, key.primaryVersionId),
      ids(key.id, key.initialVersionId),
      ids(key.id, other.primaryVersionId),
      ids(other.id, key.primaryVersionId),
      ids(rsa.id, rsa.primaryVersionId),
    );
    await fc.assert(
      fc.asyncProperty(prefixArb, fc.uint8Array({ minLength: 0, maxLength: 400 }), async (prefix, tail) => {
        const garbage = Buffer.concat([prefix, tail]);
        // A blob naming an RSA key is refused for its usage before anything is opened.
        const code =
          prefix.includes(Buffer.from(rsa.id)) && tail.length >= 60 ? "InvalidKeyUsage" : "InvalidCiphertext";
        await expectCode(advanceDecrypt(fx.deps, adminCall(), { ciphertextBlob: garbage, ...none }), code);
      }),
      { numRuns: 200 },
    );
  });

  it("random bytes and random ivs into Decrypt (raw path)", async () => {
    await fc.assert(
      fc.asyncProperty(garbageArb, fc.uint8Array({ minLength: 1, maxLength: 32 }), async (garbage, iv) => {
        await expectCode(
          decrypt(fx.deps, adminCall(), { ciphertextBlob: garbage, keyRef: key.id, iv, algorithm: "AES_GCM", ...none }),
          expectedFor(garbage.length),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("random bytes into Decrypt under an RSA ENCRYPT_DECRYPT key", async () => {
    await fc.assert(
      fc.asyncProperty(garbageArb, async (garbage) => {
        await expectCode(
          decrypt(fx.deps, adminCall(), { ciphertextBlob: garbage, keyRef: rsa.id, ...none }),
          expectedFor(garbage.length),
        );
      }),
      { numRuns: 60 },
    );
  });

  it("every InvalidCiphertext so far carried the one fixed message (no oracle)", () => {
    // Several kinds of failure ran above: parse errors, unknown key or version, tag failures,
    // wrong aad/context, wrong IV length, RSA padding. They must be indistinguishable.
    expect(seenMessages.size).toBe(1);
    expect([...seenMessages][0]).toBe(INVALID_CIPHERTEXT_MESSAGE);
  });
});

describe("other codes on the decrypt paths", () => {
  it("a blob named with another key's id is IncorrectKey", async () => {
    const enc = await advanceEncrypt(fx.deps, adminCall(), {
      keyRef: key.id,
      plaintext: Buffer.from("x"),
      aad: Buffer.alloc(0),
      context: {},
    });
    await expectCode(
      decrypt(fx.deps, adminCall(), {
        ciphertextBlob: enc.ciphertextBlob,
        keyRef: other.id,
        aad: Buffer.alloc(0),
        context: {},
      }),
      "IncorrectKey",
    );
  });

  it("a context with a lone surrogate is refused as InvalidArgument when encrypting", async () => {
    await expectCode(
      advanceEncrypt(fx.deps, adminCall(), {
        keyRef: key.id,
        plaintext: Buffer.from("x"),
        aad: Buffer.alloc(0),
        context: { k: "\ud800" },
      }),
      "InvalidArgument",
    );
    await expectCode(
      encrypt(fx.deps, adminCall(), {
        keyRef: key.id,
        plaintext: Buffer.from("x"),
        aad: Buffer.alloc(0),
        context: { "\udc00": "v" },
      }),
      "InvalidArgument",
    );
  });

  it("a context key __proto__ is refused as InvalidArgument (it could not be bound on the gRPC wire)", async () => {
    const context = JSON.parse('{"__proto__": "x"}') as Record<string, string>;
    await expectCode(
      advanceEncrypt(fx.deps, adminCall(), {
        keyRef: key.id,
        plaintext: Buffer.from("p"),
        aad: new Uint8Array(0),
        context,
      }),
      "InvalidArgument",
    );
  });

  it("aad of 8192 bytes is accepted and 8193 refused as InvalidArgument", async () => {
    const ok = await encrypt(fx.deps, adminCall(), {
      keyRef: key.id,
      plaintext: Buffer.from("x"),
      aad: Buffer.alloc(8192, 7),
      context: {},
    });
    expect(ok.ciphertextBlob.length).toBe(32 + 1 + 16);
    await expectCode(
      encrypt(fx.deps, adminCall(), {
        keyRef: key.id,
        plaintext: Buffer.from("x"),
        aad: Buffer.alloc(8193),
        context: {},
      }),
      "InvalidArgument",
    );
  });
});
