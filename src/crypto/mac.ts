import { createHmac, timingSafeEqual } from "node:crypto";
import { MAC_ALGORITHMS, type MacAlgorithm } from "../domain/algorithms.js";

/**
 * HMAC (RFC 2104, FIPS 198-1) of `message` under an HMAC key's material, over the algorithm's
 * hash (`MAC_ALGORITHMS` in `src/domain/algorithms.ts`): the tag is as long as the hash's output.
 */
export function generateMac(algorithm: MacAlgorithm, key: Buffer, message: Buffer): Buffer {
  return createHmac(MAC_ALGORITHMS[algorithm].hash, key).update(message).digest();
}

/**
 * Recomputes the MAC and compares in constant time (`crypto.timingSafeEqual`), so response
 * timing does not reveal how many leading bytes of a forged MAC were right. A MAC of the wrong
 * length is simply false (`timingSafeEqual` would throw on unequal lengths).
 */
export function verifyMac(algorithm: MacAlgorithm, key: Buffer, message: Buffer, mac: Buffer): boolean {
  const expected = generateMac(algorithm, key, message);
  return mac.length === expected.length && timingSafeEqual(mac, expected);
}
