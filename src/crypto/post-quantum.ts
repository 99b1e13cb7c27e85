import * as nodeCrypto from "node:crypto";
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { KmsError } from "../domain/errors.js";
import { type KeySpec, type PostQuantumKeyType, specRow } from "../domain/specs.js";

/** The first Node.js release whose `node:crypto` has ML-DSA and ML-KEM (it bundles OpenSSL 3.5). */
export const POST_QUANTUM_NODE = "24.7";

/**
 * `crypto.encapsulate` / `crypto.decapsulate` (Node.js >= 24.7). `@types/node` 20 does not declare
 * them, and Node.js 20 does not have them: they are read as optional members, never assumed.
 */
interface KemFunctions {
  encapsulate?: (key: KeyObject) => { sharedKey: Buffer; ciphertext: Buffer };
  decapsulate?: (key: KeyObject, ciphertext: Buffer) => Buffer;
}

const kem = nodeCrypto as unknown as KemFunctions;

const ALL_TYPES: readonly PostQuantumKeyType[] = [
  "ml-dsa-44",
  "ml-dsa-65",
  "ml-dsa-87",
  "ml-kem-512",
  "ml-kem-768",
  "ml-kem-1024",
];

/**
 * Which post-quantum key types this runtime can generate, probed once when the module loads by
 * generating one pair of each (about a millisecond each): capability, not the version string,
 * decides, so a Node.js build without them (or a future one with them) is judged by what it does.
 * ML-KEM also needs `crypto.encapsulate`/`decapsulate`.
 */
const AVAILABLE: ReadonlySet<PostQuantumKeyType> = new Set(
  ALL_TYPES.filter((type) => {
    if (type.startsWith("ml-kem") && (typeof kem.encapsulate !== "function" || typeof kem.decapsulate !== "function")) {
      return false;
    }
    try {
      generateKeyPairSync(type as Parameters<typeof generateKeyPairSync>[0] as "ed25519");
      return true;
    } catch {
      return false;
    }
  }),
);

/** Whether this runtime can make and use keys of `spec` (always, for the classical specs). */
export function specAvailable(spec: KeySpec): boolean {
  const generation = specRow(spec).generate;
  return generation.kind !== "post-quantum" || AVAILABLE.has(generation.keyType);
}

/**
 * Refuses a spec this runtime cannot run, before any work: `UnsupportedOperation` naming the
 * Node.js release that has it. Called by every operation that makes or uses such a key, so a
 * Node.js 20 instance sharing a database with a Node.js 24 one answers cleanly, never `Internal`.
 */
export function requireSpecAvailable(spec: KeySpec): void {
  if (specAvailable(spec)) return;
  throw new KmsError(
    "UnsupportedOperation",
    `Key spec ${spec} needs Node.js >= ${POST_QUANTUM_NODE} (OpenSSL 3.5); this server runs Node.js ${process.version}.`,
  );
}

function kemFunctions(): Required<KemFunctions> {
  const { encapsulate, decapsulate } = kem;
  if (typeof encapsulate !== "function" || typeof decapsulate !== "function") {
    throw new KmsError("UnsupportedOperation", `ML-KEM needs Node.js >= ${POST_QUANTUM_NODE}.`);
  }
  return { encapsulate, decapsulate };
}

/**
 * ML-KEM.Encaps (FIPS 203 Algorithm 20) under an SPKI DER public key: a fresh 32-byte shared
 * secret and its ciphertext.
 */
export function encapsulate(publicKeyDer: Buffer): { sharedSecret: Buffer; ciphertext: Buffer } {
  const key = createPublicKey({ key: publicKeyDer, format: "der", type: "spki" });
  const { sharedKey, ciphertext } = kemFunctions().encapsulate(key);
  return { sharedSecret: Buffer.from(sharedKey), ciphertext: Buffer.from(ciphertext) };
}

/**
 * ML-KEM.Decaps (FIPS 203 Algorithm 21) with a PKCS#8 DER private key. The caller has checked the
 * ciphertext's length against the spec; any ciphertext of that length yields a secret — for a
 * tampered one a pseudo-random secret derived from the key's implicit-rejection value z, so the
 * answer reveals nothing about the ciphertext (FIPS 203 §6.3).
 */
export function decapsulate(privateKeyDer: Buffer, ciphertext: Buffer): Buffer {
  const key = createPrivateKey({ key: privateKeyDer, format: "der", type: "pkcs8" });
  return Buffer.from(kemFunctions().decapsulate(key, ciphertext));
}
