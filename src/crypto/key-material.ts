import type { KeySpec } from "../domain/types.js";
import type { KeyPairGenerator } from "./key-pairs.js";
import type { RandomSource } from "./random.js";

/** A new key version's material: `secret` is wrapped under the root key; `publicKey` is stored in clear. */
export interface KeyMaterial {
  secret: Buffer;
  publicKey: Buffer | null;
}

/**
 * Creates the material of a new key version (CreateKey, RotateKey).
 *
 * - AES_256: 32 random bytes, the AEAD input keying material (`aead.ts`).
 * - HMAC_256: 32 random bytes, a key as long as SHA-256's output (RFC 2104 §3).
 * - RSA_* / EC_*: a pair from the injected generator (the worker pool in production, so RSA
 *   generation never blocks the event loop): `secret` is the PKCS#8 DER private key and
 *   `publicKey` the SPKI DER public key. `signal` (the RPC's) drops the job if it has not started.
 */
export async function generateKeyMaterial(
  spec: KeySpec,
  keyPairs: KeyPairGenerator,
  random: RandomSource,
  signal?: AbortSignal,
): Promise<KeyMaterial> {
  switch (spec) {
    case "AES_256":
    case "HMAC_256": {
      const secret = random(32);
      if (secret.length !== 32) {
        throw new Error("random source returned the wrong number of bytes");
      }
      return { secret, publicKey: null };
    }
    case "RSA_2048":
    case "RSA_3072":
    case "RSA_4096":
    case "EC_P256":
    case "EC_P256K": {
      const pair = await keyPairs.generate(spec, signal);
      return { secret: pair.privateKeyDer, publicKey: pair.publicKeyDer };
    }
    default:
      throw new Error(`unknown key spec ${String(spec satisfies never)}`);
  }
}
