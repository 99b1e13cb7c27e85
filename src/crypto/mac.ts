import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HMAC-SHA-256 (RFC 2104, FIPS 198-1) of `message` under an HMAC_256 key's 32-byte material:
 * the `GenerateMac` algorithm `HMAC_SHA_256`.
 */
export function generateMac(key: Buffer, message: Buffer): Buffer {
  return createHmac("sha256", key).update(message).digest();
}

/**
 * Recomputes the MAC and compares in constant time (`crypto.timingSafeEqual`), so response
 * timing does not reveal how many leading bytes of a forged MAC were right. A MAC of the wrong
 * length is simply false (`timingSafeEqual` would throw on unequal lengths).
 */
export function verifyMac(key: Buffer, message: Buffer, mac: Buffer): boolean {
  const expected = generateMac(key, message);
  return mac.length === expected.length && timingSafeEqual(mac, expected);
}
