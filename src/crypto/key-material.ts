import { type KeySpec, specRow } from "../domain/specs.js";
import { requireSpecAvailable } from "./post-quantum.js";
import type { KeyPairGenerator } from "./key-pairs.js";
import type { RandomSource } from "./random.js";

/** A new key version's material: `secret` is wrapped under the root key; `publicKey` is stored in clear. */
export interface KeyMaterial {
  secret: Buffer;
  publicKey: Buffer | null;
}

/**
 * Creates the material of a new key version (CreateKey, RotateKey), as the spec's row in the
 * catalogue (`src/domain/specs.ts`) says:
 *
 * - `random`: that many random bytes — the AEAD input keying material (`aead.ts`) of an AES key,
 *   or an HMAC key as long as its hash's output (RFC 2104 §3).
 * - `rsa` / `ec` / `post-quantum`: a pair from the injected generator (the worker pool in production, so RSA
 *   generation never blocks the event loop): `secret` is the PKCS#8 DER private key and
 *   `publicKey` the SPKI DER public key. `signal` (the RPC's) drops the job if it has not started. A post-quantum spec on a runtime
 *   without it is `UnsupportedOperation` (`post-quantum.ts`).
 */
export async function generateKeyMaterial(
  spec: KeySpec,
  keyPairs: KeyPairGenerator,
  random: RandomSource,
  signal?: AbortSignal,
): Promise<KeyMaterial> {
  const generation = specRow(spec).generate;
  if (generation.kind === "random") {
    const secret = random(generation.bytes);
    if (secret.length !== generation.bytes) {
      throw new Error("random source returned the wrong number of bytes");
    }
    return { secret, publicKey: null };
  }
  requireSpecAvailable(spec);
  const pair = await keyPairs.generate(spec, signal);
  return { secret: pair.privateKeyDer, publicKey: pair.publicKeyDer };
}
