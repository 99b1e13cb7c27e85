import { createCipheriv, hkdfSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IV_BYTES, open, SALT_BYTES, seal, TAG_BYTES } from "../../../src/crypto/aead.js";
import { secureRandom } from "../../../src/crypto/random.js";
import { expectKmsError, flip } from "./helpers.js";

const material = secureRandom(32);
const aad = Buffer.from("bound");

describe("seal / open", () => {
  it("round-trips random plaintext and aad", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.uint8Array({ maxLength: 64 }), (pt, a) => {
        const s = seal(material, Buffer.from(pt), Buffer.from(a), secureRandom);
        expect(s.salt.length).toBe(SALT_BYTES);
        expect(s.iv.length).toBe(IV_BYTES);
        expect(s.ciphertext.length).toBe(pt.length + TAG_BYTES);
        expect(open(material, s.salt, s.iv, s.ciphertext, Buffer.from(a)).equals(Buffer.from(pt))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("encrypts under HKDF-SHA-256(material, salt, 'kms/v1 aead'), not under the material", () => {
    const plaintext = Buffer.from("known answer");
    const s = seal(material, plaintext, aad, secureRandom);
    const derived = Buffer.from(hkdfSync("sha256", material, s.salt, Buffer.from("kms/v1 aead"), 32));
    const c = createCipheriv("aes-256-gcm", derived, s.iv);
    c.setAAD(aad);
    const expected = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
    expect(s.ciphertext.equals(expected)).toBe(true);
  });

  it("draws a fresh salt and IV every time", () => {
    const a = seal(material, Buffer.from("x"), aad, secureRandom);
    const b = seal(material, Buffer.from("x"), aad, secureRandom);
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it("refuses wrong aad, material, salt, iv, tag and lengths with InvalidCiphertext", () => {
    const s = seal(material, Buffer.from("secret"), aad, secureRandom);
    expectKmsError(() => open(material, s.salt, s.iv, s.ciphertext, Buffer.from("other")), "InvalidCiphertext");
    expectKmsError(() => open(secureRandom(32), s.salt, s.iv, s.ciphertext, aad), "InvalidCiphertext");
    expectKmsError(() => open(material, flip(s.salt, 0, 1), s.iv, s.ciphertext, aad), "InvalidCiphertext");
    expectKmsError(() => open(material, s.salt, flip(s.iv, 11, 0x80), s.ciphertext, aad), "InvalidCiphertext");
    expectKmsError(
      () => open(material, s.salt, s.iv, flip(s.ciphertext, s.ciphertext.length - 1, 1), aad),
      "InvalidCiphertext",
    );
    expectKmsError(() => open(material, s.salt.subarray(1), s.iv, s.ciphertext, aad), "InvalidCiphertext");
    expectKmsError(() => open(material, s.salt, s.iv.subarray(1), s.ciphertext, aad), "InvalidCiphertext");
    expectKmsError(() => open(material, s.salt, s.iv, s.ciphertext.subarray(0, 15), aad), "InvalidCiphertext");
    expectKmsError(() => open(material.subarray(1), s.salt, s.iv, s.ciphertext, aad), "InvalidCiphertext");
    expect(open(material, s.salt, s.iv, s.ciphertext, aad).toString()).toBe("secret");
  });

  it("refuses a truncated tag (no short-tag forgeries)", () => {
    const s = seal(material, Buffer.alloc(40, 7), aad, secureRandom);
    expectKmsError(
      () => open(material, s.salt, s.iv, s.ciphertext.subarray(0, s.ciphertext.length - 4), aad),
      "InvalidCiphertext",
    );
  });
});
