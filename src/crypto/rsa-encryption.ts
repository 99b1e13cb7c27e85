import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt } from "node:crypto";
import { invalidCiphertext, KmsError } from "../domain/errors.js";
import type { KeySpec } from "../domain/types.js";

/** The asymmetric encryption algorithms (RSAES-OAEP, RFC 8017 §7.1; MGF1 uses the same hash). */
export type RsaEncryptionAlgorithm = "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256";

const OAEP_HASH: Record<RsaEncryptionAlgorithm, { name: string; bytes: number }> = {
  RSAES_OAEP_SHA_1: { name: "sha1", bytes: 20 },
  RSAES_OAEP_SHA_256: { name: "sha256", bytes: 32 },
};

const RSA_MODULUS_BYTES: Partial<Record<KeySpec, number>> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };

/**
 * The largest plaintext RSAES-OAEP can encrypt: `k − 2·hLen − 2` bytes (RFC 8017 §7.1.1),
 * e.g. 190 bytes for RSA_2048 with SHA-256, as AWS KMS documents.
 *
 * @throws KmsError `InvalidKeyUsage` for a spec that is not RSA.
 */
export function rsaMaxPlaintext(spec: KeySpec, algorithm: RsaEncryptionAlgorithm): number {
  const k = RSA_MODULUS_BYTES[spec];
  if (k === undefined) {
    throw new KmsError("InvalidKeyUsage", `Key spec ${spec} does not support ${algorithm}.`);
  }
  return k - 2 * OAEP_HASH[algorithm].bytes - 2;
}

/**
 * Encrypts with RSAES-OAEP under an SPKI DER public key. OAEP only: PKCS#1 v1.5 encryption is
 * exposed to Bleichenbacher-style padding oracles (RFC 8017 §7.2 keeps it for compatibility only).
 *
 * @throws KmsError `InvalidArgument` when the plaintext is empty or longer than the OAEP bound.
 */
export function rsaEncrypt(publicKeyDer: Buffer, algorithm: RsaEncryptionAlgorithm, plaintext: Buffer): Buffer {
  const key = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== "rsa" || bits === undefined) {
    throw new KmsError("InvalidKeyUsage", `${algorithm} needs an RSA key.`);
  }
  const max = Math.ceil(bits / 8) - 2 * OAEP_HASH[algorithm].bytes - 2;
  if (plaintext.length < 1 || plaintext.length > max) {
    throw new KmsError("InvalidArgument", `Plaintext must be 1 to ${max} bytes for ${algorithm} with this key.`);
  }
  return publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm].name },
    plaintext,
  );
}

/**
 * Decrypts RSAES-OAEP. Every failure — wrong length, bad padding, wrong key — is the same
 * `invalidCiphertext()`, so the reply is no padding oracle (Manger's attack on OAEP needs one).
 */
export function rsaDecrypt(privateKeyDer: Buffer, algorithm: RsaEncryptionAlgorithm, ciphertext: Buffer): Buffer {
  try {
    const key = createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" });
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType !== "rsa" || bits === undefined || ciphertext.length !== Math.ceil(bits / 8)) {
      throw invalidCiphertext();
    }
    return privateDecrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm].name },
      ciphertext,
    );
  } catch {
    throw invalidCiphertext();
  }
}
