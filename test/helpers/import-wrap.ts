import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from "node:crypto";

/** The four wrapping algorithms by their AWS names (kms.v1 prefixes them with `WRAPPING_ALGORITHM_`). */
export const WRAPPING_ALGORITHM_NAMES = [
  "RSAES_OAEP_SHA_1",
  "RSAES_OAEP_SHA_256",
  "RSA_AES_KEY_WRAP_SHA_1",
  "RSA_AES_KEY_WRAP_SHA_256",
] as const;
export type WrappingAlgorithmName = (typeof WRAPPING_ALGORITHM_NAMES)[number];

/**
 * What a client does with the parameters of `GetParametersForImport`, written independently of
 * the service with node:crypto only, as AWS documents it: RSAES-OAEP of the material, or
 * RSAES-OAEP of a fresh AES-256 key followed by the material under AES key wrap with padding
 * (RFC 5649, OpenSSL's `id-aes256-wrap-pad` with RFC 5649's initial value A65959A6).
 */
export function wrapForImport(algorithm: WrappingAlgorithmName, publicKeyDer: Uint8Array, material: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: "der", type: "spki" });
  const oaepHash = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
  const oaep = (data: Buffer) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
  if (algorithm.startsWith("RSAES_OAEP")) return oaep(material);
  const aesKey = randomBytes(32);
  const kwp = createCipheriv("id-aes256-wrap-pad", aesKey, Buffer.from("a65959a6", "hex"));
  return Buffer.concat([oaep(aesKey), kwp.update(material), kwp.final()]);
}
