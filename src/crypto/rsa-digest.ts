import { constants, type KeyObject, privateEncrypt, publicDecrypt, timingSafeEqual } from "node:crypto";
import type { DigestHash } from "../domain/algorithms.js";

/**
 * RSASSA-PKCS1-v1_5 over a digest the caller already computed (`MessageType: DIGEST`).
 *
 * Node 20's `crypto.sign` always hashes its input, and a one-shot `signDigest` exists only as an
 * open proposal (nodejs/node#60263). PKCS#1 v1.5 needs no new code for this: OpenSSL's type-1
 * padding over `DigestInfo ‖ digest` (RFC 8017 §9.2) is exactly the signature, so
 * `privateEncrypt` (RSASP1 with blinding) and `publicDecrypt` (RSAVP1) do all the work.
 *
 * PSS and ECDSA over a digest would need the encoding (EMSA-PSS) or the curve arithmetic written
 * here, and this service never writes primitives: those combinations are refused by the caller.
 */

/** DER of `DigestInfo` without its final digest (RFC 8017 §9.2, note 1). */
const DIGEST_INFO_PREFIX: Record<DigestHash, Buffer> = {
  sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
  sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
  sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};

function modulusBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== "rsa" || bits === undefined) {
    throw new Error("expected an RSA key");
  }
  return Math.ceil(bits / 8);
}

/** Signs `digest` (exactly the hash's length; the caller checks) with an RSA private key. */
export function signRsaPkcs1Digest(key: KeyObject, hash: DigestHash, digest: Buffer): Buffer {
  modulusBytes(key);
  const digestInfo = Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]);
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo);
}

/** Verifies a PKCS#1 v1.5 signature over `digest`; false for any malformed or wrong signature. */
export function verifyRsaPkcs1Digest(key: KeyObject, hash: DigestHash, digest: Buffer, signature: Buffer): boolean {
  if (signature.length !== modulusBytes(key)) return false;
  try {
    const expected = Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]);
    const got = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return got.length === expected.length && timingSafeEqual(got, expected);
  } catch {
    return false;
  }
}
