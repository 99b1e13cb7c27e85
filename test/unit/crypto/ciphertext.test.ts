import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { EncryptionContext } from "../../../src/domain/types.js";
import { openBlob, openRaw, parseBlob, sealBlob, sealRaw } from "../../../src/crypto/ciphertext.js";
import { secureRandom } from "../../../src/crypto/random.js";
import { expectKmsError, flip } from "./helpers.js";

const material = secureRandom(32);
const keyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
const versionId = "v-0001";
const aad = Buffer.from("alibaba aad");
const context: EncryptionContext = { purpose: "test", tenant: "t-1" };
const plaintext = Buffer.from("data key bytes 0123456789abcdef");

const contextArb = fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 });

function raw() {
  return sealRaw({ material, keyId, versionId, plaintext, aad, context, random: secureRandom });
}

function blob() {
  return sealBlob({ material, keyId, versionId, plaintext, aad, context, random: secureRandom }).ciphertextBlob;
}

describe("raw form", () => {
  it("lays out salt(32) ‖ ct ‖ tag(16) with a separate 12-byte iv", () => {
    const r = raw();
    expect(r.iv.length).toBe(12);
    expect(r.ciphertextBlob.length).toBe(32 + plaintext.length + 16);
  });

  it("round-trips random plaintext, aad and context", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.uint8Array({ maxLength: 32 }), contextArb, (pt, a, ctx) => {
        const p = { material, keyId, versionId, aad: Buffer.from(a), context: ctx };
        const r = sealRaw({ ...p, plaintext: Buffer.from(pt), random: secureRandom });
        expect(openRaw({ ...p, ...r }).equals(Buffer.from(pt))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses wrong aad, context, key id, version id, iv and material", () => {
    const r = raw();
    const ok = { material, keyId, versionId, aad, context, ...r };
    expect(openRaw(ok).equals(plaintext)).toBe(true);
    expectKmsError(() => openRaw({ ...ok, aad: Buffer.from("other") }), "InvalidCiphertext");
    expectKmsError(() => openRaw({ ...ok, context: { purpose: "test" } }), "InvalidCiphertext");
    expectKmsError(() => openRaw({ ...ok, context: { ...context, extra: "" } }), "InvalidCiphertext");
    expectKmsError(() => openRaw({ ...ok, keyId: "another-key" }), "InvalidCiphertext");
    expectKmsError(() => openRaw({ ...ok, versionId: "v-0002" }), "InvalidCiphertext");
    expectKmsError(() => openRaw({ ...ok, iv: secureRandom(12) }), "InvalidCiphertext");
    expectKmsError(() => openRaw({ ...ok, iv: Buffer.concat([r.iv, Buffer.of(0)]) }), "InvalidCiphertext");
    expectKmsError(() => openRaw({ ...ok, material: secureRandom(32) }), "InvalidCiphertext");
    expectKmsError(() => openRaw({ ...ok, ciphertextBlob: r.ciphertextBlob.subarray(0, 47) }), "InvalidCiphertext");
  });

  it("cannot be opened as a blob, nor a blob as raw (domain separation)", () => {
    const b = blob();
    const parsed = parseBlob(b);
    expectKmsError(
      () =>
        openRaw({
          material,
          keyId,
          versionId,
          aad,
          context,
          iv: parsed.iv,
          ciphertextBlob: Buffer.concat([parsed.salt, parsed.ciphertext]),
        }),
      "InvalidCiphertext",
    );
  });

  it("flipping any single byte of the blob or the iv gives InvalidCiphertext", () => {
    const r = raw();
    const ok = { material, keyId, versionId, aad, context, ...r };
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (i, mask, inIv) => {
        const target = inIv ? r.iv : r.ciphertextBlob;
        const changed = flip(target, i % target.length, mask);
        const p = inIv ? { ...ok, iv: changed } : { ...ok, ciphertextBlob: changed };
        expectKmsError(() => openRaw(p), "InvalidCiphertext");
      }),
      { numRuns: 500 },
    );
  });

  it("garbage never throws anything but InvalidCiphertext", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ maxLength: 16 }), contextArb, (b, iv, ctx) => {
        expectKmsError(
          () =>
            openRaw({
              material,
              keyId,
              versionId,
              aad,
              context: ctx,
              iv: Buffer.from(iv),
              ciphertextBlob: Buffer.from(b),
            }),
          "InvalidCiphertext",
        );
      }),
      { numRuns: 500 },
    );
  });

  it("an ill-formed context on open is InvalidCiphertext, not another code", () => {
    const r = raw();
    expectKmsError(
      () => openRaw({ material, keyId, versionId, aad, context: { "\ud800": "x" }, ...r }),
      "InvalidCiphertext",
    );
  });
});

describe("self-describing blob", () => {
  it("lays out 0x01 ‖ len ‖ key id ‖ len ‖ version id ‖ salt(32) ‖ iv(12) ‖ ct ‖ tag(16)", () => {
    const b = blob();
    expect(b[0]).toBe(0x01);
    expect(b[1]).toBe(keyId.length);
    expect(b.subarray(2, 2 + keyId.length).toString("ascii")).toBe(keyId);
    const at = 2 + keyId.length;
    expect(b[at]).toBe(versionId.length);
    expect(b.subarray(at + 1, at + 1 + versionId.length).toString("ascii")).toBe(versionId);
    const headerLength = at + 1 + versionId.length + 32 + 12;
    expect(b.length).toBe(headerLength + plaintext.length + 16);
    const parsed = parseBlob(b);
    expect(parsed.keyId).toBe(keyId);
    expect(parsed.versionId).toBe(versionId);
    expect(parsed.header.equals(b.subarray(0, headerLength))).toBe(true);
    expect(parsed.salt.equals(b.subarray(headerLength - 44, headerLength - 12))).toBe(true);
    expect(parsed.iv.equals(b.subarray(headerLength - 12, headerLength))).toBe(true);
    expect(parsed.ciphertext.length).toBe(plaintext.length + 16);
  });

  it("round-trips random plaintext, aad and context", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.uint8Array({ maxLength: 32 }), contextArb, (pt, a, ctx) => {
        const { ciphertextBlob: b } = sealBlob({
          material,
          keyId,
          versionId,
          plaintext: Buffer.from(pt),
          aad: Buffer.from(a),
          context: ctx,
          random: secureRandom,
        });
        const opened = openBlob({ material, parsed: parseBlob(b), aad: Buffer.from(a), context: ctx });
        expect(opened.equals(Buffer.from(pt))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses wrong aad, context and material", () => {
    const parsed = parseBlob(blob());
    expect(openBlob({ material, parsed, aad, context }).equals(plaintext)).toBe(true);
    expectKmsError(() => openBlob({ material, parsed, aad: Buffer.alloc(0), context }), "InvalidCiphertext");
    expectKmsError(() => openBlob({ material, parsed, aad, context: {} }), "InvalidCiphertext");
    expectKmsError(
      () => openBlob({ material, parsed, aad, context: { purpose: "test", tenant: "t-2" } }),
      "InvalidCiphertext",
    );
    expectKmsError(() => openBlob({ material: secureRandom(32), parsed, aad, context }), "InvalidCiphertext");
  });

  it("refuses a header rewritten to name another key or version", () => {
    const b = blob();
    const otherKey = Buffer.from(b);
    otherKey.write("2", 2, "ascii");
    const parsedKey = parseBlob(otherKey);
    expect(parsedKey.keyId).toBe(`2${keyId.slice(1)}`);
    expectKmsError(() => openBlob({ material, parsed: parsedKey, aad, context }), "InvalidCiphertext");
    const otherVersion = Buffer.from(b);
    otherVersion.write("2", 3 + keyId.length + versionId.length - 1, "ascii");
    const parsedVersion = parseBlob(otherVersion);
    expect(parsedVersion.versionId).toBe("v-0002");
    expectKmsError(() => openBlob({ material, parsed: parsedVersion, aad, context }), "InvalidCiphertext");
  });

  it("flipping any single byte gives exactly InvalidCiphertext", () => {
    const b = blob();
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (i, mask) => {
        const changed = flip(b, i % b.length, mask);
        expectKmsError(() => openBlob({ material, parsed: parseBlob(changed), aad, context }), "InvalidCiphertext");
      }),
      { numRuns: 1000 },
    );
  });

  it("refuses ids outside ^[A-Za-z0-9-]{1,64}$, lengths past the end and a missing tag", () => {
    const good = blob();
    const at = 2 + keyId.length;
    const cases: Buffer[] = [
      Buffer.alloc(0),
      Buffer.of(0x02, ...good.subarray(1)),
      Buffer.of(0x01, 0x00, ...good.subarray(2)),
      Buffer.of(0x01, 0xff, ...good.subarray(2)),
      (() => {
        const x = Buffer.from(good);
        x[2] = 0x2e;
        return x;
      })(),
      (() => {
        const x = Buffer.from(good);
        x[at] = 65;
        return x;
      })(),
      good.subarray(0, at + 1 + versionId.length + 44 + 15),
      good.subarray(0, at + 1 + versionId.length + 43),
      Buffer.concat([Buffer.of(0x01, 65), Buffer.alloc(65, 0x61), good.subarray(at)]),
    ];
    for (const c of cases) {
      expectKmsError(() => parseBlob(c), "InvalidCiphertext");
    }
    expect(parseBlob(good.subarray(0, at + 1 + versionId.length + 44 + 16)).ciphertext.length).toBe(16);
  });

  it("garbage into parseBlob / openBlob never throws anything but InvalidCiphertext", () => {
    const prefix = blob().subarray(0, 2 + keyId.length + 1 + versionId.length);
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 120 }).map((tail) => Uint8Array.from([...prefix, ...tail])),
      fc
        .tuple(fc.integer({ min: 0, max: 80 }), fc.uint8Array({ maxLength: 140 }))
        .map(([n, tail]) => Uint8Array.from([1, n, ...tail])),
    );
    fc.assert(
      fc.property(garbage, contextArb, (g, ctx) => {
        expectKmsError(
          () => openBlob({ material, parsed: parseBlob(Buffer.from(g)), aad, context: ctx }),
          "InvalidCiphertext",
        );
      }),
      { numRuns: 1000 },
    );
  });

  it("hands back the IV it sealed with, the one the blob carries", () => {
    const { ciphertextBlob, iv } = sealBlob({
      material,
      keyId,
      versionId,
      plaintext,
      aad,
      context,
      random: secureRandom,
    });
    expect(iv.length).toBe(12);
    expect(iv.equals(parseBlob(ciphertextBlob).iv)).toBe(true);
  });

  it("refuses to seal ids a blob cannot carry", () => {
    expect(() =>
      sealBlob({ material, keyId: "bad id", versionId, plaintext, aad, context, random: secureRandom }),
    ).toThrow();
    expect(() =>
      sealBlob({ material, keyId, versionId: "x".repeat(65), plaintext, aad, context, random: secureRandom }),
    ).toThrow();
  });
});
