import * as nodeCrypto from "node:crypto";
import type { KeyObject } from "node:crypto";

/**
 * `crypto.encapsulate`/`decapsulate` of Node.js >= 24.7, read as optional members: `@types/node`
 * 20 does not declare them and Node.js 20 does not have them.
 */
export const kem = nodeCrypto as unknown as {
  encapsulate?: (key: KeyObject) => { sharedKey: Buffer; ciphertext: Buffer };
  decapsulate?: (key: KeyObject, ciphertext: Buffer) => Buffer;
};

/**
 * Whether this runtime has ML-DSA and ML-KEM, probed as the server probes its own
 * (`src/crypto/post-quantum.ts`): by doing it, not by reading the version. The e2e servers run on
 * the same Node.js as the tests (`npm start` finds `node` on PATH), so this says which tests apply.
 */
export function runtimeHasPostQuantum(): boolean {
  if (typeof kem.encapsulate !== "function" || typeof kem.decapsulate !== "function") return false;
  try {
    nodeCrypto.generateKeyPairSync("ml-dsa-44" as "ed25519");
    nodeCrypto.generateKeyPairSync("ml-kem-512" as "ed25519");
    return true;
  } catch {
    return false;
  }
}

/** FIPS 204 Table 2: the public key's length per parameter set, by the SPKI's total length. */
const ML_DSA_PUBLIC_KEY_BYTES = [1312, 1952, 2592];
/** An ML-DSA SPKI is a fixed 22-byte DER header (sequence, OID, bit string) and the raw key. */
const ML_DSA_SPKI_HEADER_BYTES = 22;

/**
 * FIPS 204 §6.2 (what AWS documents for `MessageType: EXTERNAL_MU`), computed here with
 * node:crypto's SHAKE256 and nothing of the server's: tr = SHAKE256(pk, 64), and
 * mu = SHAKE256(tr ‖ M′, 64) with M′ = 0x00 ‖ 0x00 (pure ML-DSA, empty context) ‖ message.
 * `spkiDer` is GetPublicKey's SubjectPublicKeyInfo; pk is the raw key inside it.
 */
export function externalMu(spkiDer: Uint8Array, message: Uint8Array): Buffer {
  const spki = Buffer.from(spkiDer);
  const pk = spki.subarray(ML_DSA_SPKI_HEADER_BYTES);
  if (!ML_DSA_PUBLIC_KEY_BYTES.includes(pk.length) || spki[ML_DSA_SPKI_HEADER_BYTES - 1] !== 0x00) {
    throw new Error(`not an ML-DSA SPKI (${spki.length} bytes)`);
  }
  const shake = () => nodeCrypto.createHash("shake256", { outputLength: 64 });
  const tr = shake().update(pk).digest();
  return shake()
    .update(tr)
    .update(Buffer.from([0x00, 0x00]))
    .update(message)
    .digest();
}
