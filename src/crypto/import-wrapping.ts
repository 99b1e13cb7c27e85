import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
} from "node:crypto";
import { KmsError } from "../domain/errors.js";
import { WRAPPING_ALGORITHMS, type WrappingAlgorithm } from "../domain/key-import.js";

/** The AES key-wrap-with-padding cipher of RFC 5649 under a 256-bit key, as OpenSSL names it. */
const AES_KWP = "id-aes256-wrap-pad";
/** RFC 5649 §3: the alternative initial value is carried inside the cipher; OpenSSL wants a fixed 4-byte IV. */
const KWP_IV = Buffer.from("a65959a6", "hex");
const AES_KEY_BYTES = 32;

/**
 * Opens material a caller wrapped with the public key from `GetParametersForImport`:
 * RSAES-OAEP (RFC 8017 §7.1, MGF1 over the same hash) of the material, or, for the
 * `RSA_AES_KEY_WRAP` algorithms, RSAES-OAEP of an ephemeral AES-256 key followed by the material
 * wrapped under it with AES key wrap with padding (RFC 5649) — the layout AWS KMS documents.
 * Every failure is `InvalidCiphertext` and says nothing about which step failed.
 */
export function unwrapImportedMaterial(
  algorithm: WrappingAlgorithm,
  wrappingKey: { privateKeyDer: Buffer; modulusBits: number },
  wrapped: Buffer,
): Buffer {
  const row = WRAPPING_ALGORITHMS[algorithm];
  const key = { key: wrappingKey.privateKeyDer, format: "der", type: "pkcs8" } as const;
  const oaep = (data: Buffer) =>
    privateDecrypt({ ...key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: row.hash }, data);
  let aesKey: Buffer | undefined;
  try {
    if (!row.aesKeyWrap) return oaep(wrapped);
    const split = wrappingKey.modulusBits / 8;
    if (wrapped.length <= split) throw new Error("short");
    aesKey = oaep(wrapped.subarray(0, split));
    if (aesKey.length !== AES_KEY_BYTES) throw new Error("aes key");
    const decipher = createDecipheriv(AES_KWP, aesKey, KWP_IV);
    return Buffer.concat([decipher.update(wrapped.subarray(split)), decipher.final()]);
  } catch {
    throw new KmsError("InvalidCiphertext", "The wrapped key material could not be unwrapped.");
  } finally {
    aesKey?.fill(0);
  }
}

/**
 * The caller's side of {@link unwrapImportedMaterial} (the CLI's `kms import`): wraps material under
 * the import public key (SPKI DER). `aesKey` is the fresh AES-256 key of the `RSA_AES_KEY_WRAP`
 * algorithms; it is zeroed before this returns.
 */
export function wrapMaterialForImport(
  algorithm: WrappingAlgorithm,
  publicKeyDer: Buffer,
  material: Buffer,
  aesKey: Buffer,
): Buffer {
  const row = WRAPPING_ALGORITHMS[algorithm];
  const key = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  const oaep = (data: Buffer) =>
    publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: row.hash }, data);
  try {
    if (!row.aesKeyWrap) return oaep(material);
    const cipher = createCipheriv(AES_KWP, aesKey, KWP_IV);
    return Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
  } finally {
    aesKey.fill(0);
  }
}
