import { createCipheriv, createDecipheriv, hkdfSync } from "node:crypto";
import { invalidCiphertext } from "../domain/errors.js";
import type { RandomSource } from "./random.js";

/** Bytes of HKDF salt carried in every ciphertext (256 bits, as AWS KMS's per-ciphertext nonce). */
export const SALT_BYTES = 32;
/** AES-GCM IV length: 96 bits, the length NIST SP 800-38D §8.2 recommends. */
export const IV_BYTES = 12;
/** AES-GCM tag length: the full 128 bits (NIST SP 800-38D §5.2.1.2). */
export const TAG_BYTES = 16;

const KEY_BYTES = 32;
const HKDF_INFO = Buffer.from("kms/v1 aead", "utf8");

/** Output of {@link seal}: the caller stores all three. `ciphertext` is GCM ciphertext ‖ tag. */
export interface Sealed {
  salt: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
}

function deriveKey(material: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", material, salt, HKDF_INFO, KEY_BYTES));
}

/**
 * Encrypts under a one-use key derived from `material`, never under `material` itself.
 *
 * Random 96-bit GCM IVs under one key are safe for only about 2^32 messages (NIST SP 800-38D
 * §8.3), while one key version may encrypt billions of times. So each call draws a fresh 256-bit
 * salt and derives `HKDF-SHA-256(ikm = material, salt, info = "kms/v1 aead")` (RFC 5869), the
 * approach AWS KMS describes for its HSM-backed keys; the IV budget then applies per derived key,
 * which is used once. The derived key is zeroed before returning.
 */
export function seal(material: Buffer, plaintext: Buffer, aad: Buffer, random: RandomSource): Sealed {
  const salt = random(SALT_BYTES);
  const iv = random(IV_BYTES);
  return { salt, iv, ciphertext: sealWith(material, salt, iv, plaintext, aad) };
}

/**
 * {@link seal} with the salt and IV drawn by the caller, for formats whose AAD must contain them
 * (the self-describing blob authenticates its whole header). Both must come fresh from a
 * {@link RandomSource} for every call: reusing an IV under one derived key breaks GCM.
 * Returns GCM ciphertext ‖ tag.
 */
export function sealWith(material: Buffer, salt: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  if (material.length !== KEY_BYTES) {
    throw new Error("AEAD material must be 32 bytes");
  }
  if (salt.length !== SALT_BYTES || iv.length !== IV_BYTES) {
    throw new Error("AEAD salt or IV has the wrong length");
  }
  const key = deriveKey(material, salt);
  try {
    const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  } finally {
    key.fill(0);
  }
}

/**
 * Reverses {@link seal}. Every failure — a wrong length, a failed tag check, anything thrown
 * underneath — becomes the same `invalidCiphertext()`, so a caller learns nothing about which
 * check failed (no padding- or format-oracle). No plaintext is released before the tag verifies.
 */
export function open(material: Buffer, salt: Buffer, iv: Buffer, ciphertext: Buffer, aad: Buffer): Buffer {
  if (
    material.length !== KEY_BYTES ||
    salt.length !== SALT_BYTES ||
    iv.length !== IV_BYTES ||
    ciphertext.length < TAG_BYTES
  ) {
    throw invalidCiphertext();
  }
  const key = deriveKey(material, salt);
  const body = ciphertext.subarray(0, ciphertext.length - TAG_BYTES);
  const tag = ciphertext.subarray(ciphertext.length - TAG_BYTES);
  let head: Buffer | undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    head = decipher.update(body);
    const tail = decipher.final();
    return Buffer.concat([head, tail]);
  } catch {
    throw invalidCiphertext();
  } finally {
    key.fill(0);
    head?.fill(0);
  }
}
