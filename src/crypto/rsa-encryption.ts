import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt } from "node:crypto";
import { invalidCiphertext, KmsError } from "../domain/errors.js";
import { ENCRYPTION_ALGORITHMS, type EncryptionAlgorithm } from "../domain/algorithms.js";
import { type KeySpec, specRow } from "../domain/specs.js";

/** The asymmetric encryption algorithms (RSAES-OAEP, RFC 8017 §7.1; MGF1 uses the same hash). */
export type RsaEncryptionAlgorithm = {
  [A in EncryptionAlgorithm]: (typeof ENCRYPTION_ALGORITHMS)[A] extends { oaep: object } ? A : never;
}[EncryptionAlgorithm];

const OAEP_HASH = (algorithm: RsaEncryptionAlgorithm) => ENCRYPTION_ALGORITHMS[algorithm].oaep;

/**
 * The largest plaintext RSAES-OAEP can encrypt: `k − 2·hLen − 2` bytes (RFC 8017 §7.1.1),
 * e.g. 190 bytes for RSA_2048 with SHA-256, as AWS KMS documents.
 *
 * @throws KmsError `InvalidKeyUsage` for a spec that is not RSA.
 */
export function rsaMaxPlaintext(spec: KeySpec, algorithm: RsaEncryptionAlgorithm): number {
  const generation = specRow(spec).generate;
  if (generation.kind !== "rsa") {
    throw new KmsError("InvalidKeyUsage", `Key spec ${spec} does not support ${algorithm}.`);
  }
  return generation.modulusBits / 8 - 2 * OAEP_HASH(algorithm).bytes - 2;
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
  const max = Math.ceil(bits / 8) - 2 * OAEP_HASH(algorithm).bytes - 2;
  if (plaintext.length < 1 || plaintext.length > max) {
    throw new KmsError("InvalidArgument", `Plaintext must be 1 to ${max} bytes for ${algorithm} with this key.`);
  }
  return publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH(algorithm).hash },
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
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH(algorithm).hash },
      ciphertext,
    );
  } catch {
    throw invalidCiphertext();
  }
}
