import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from "node:crypto";
import { KmsError } from "../domain/errors.js";

/**
 * ECDH (NIST SP 800-56A §5.7.1.2, the "Elliptic Curve Cryptography Cofactor Diffie-Hellman
 * Primitive"; every curve here has cofactor 1) between a key's PKCS#8 DER private key and a peer's
 * DER SubjectPublicKeyInfo. The result is the shared point's x-coordinate, left-padded to the
 * field's length (32, 48 or 66 bytes): the raw secret AWS KMS's `DeriveSharedSecret` returns. It
 * is keying material for a KDF, never a key by itself.
 *
 * @throws KmsError `InvalidArgument` when `peerSpki` is not a DER SPKI EC public key on
 *   `namedCurve` (OpenSSL's name) or is not a valid point; the message never echoes the bytes.
 */
export function deriveEcdhSecret(privateKeyDer: Buffer, peerSpki: Buffer, namedCurve: string): Buffer {
  const peer = peerPublicKey(peerSpki, namedCurve);
  const privateKey = createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" });
  try {
    return diffieHellman({ privateKey, publicKey: peer });
  } catch {
    throw invalidPeer(namedCurve);
  }
}

function peerPublicKey(spki: Buffer, namedCurve: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: "der", type: "spki" });
  } catch {
    throw invalidPeer(namedCurve);
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== namedCurve) {
    throw invalidPeer(namedCurve);
  }
  return key;
}

function invalidPeer(namedCurve: string): KmsError {
  return new KmsError(
    "InvalidArgument",
    `PublicKey must be a DER-encoded SubjectPublicKeyInfo of an EC public key on ${namedCurve}.`,
  );
}
