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
