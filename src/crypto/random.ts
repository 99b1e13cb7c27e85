import { randomBytes } from "node:crypto";

/**
 * A source of cryptographically secure random bytes. Injected everywhere randomness is used
 * (salts, IVs, key material) so that tests can substitute a deterministic or failing source,
 * as OpenBao passes `rand` into every key function.
 */
export type RandomSource = (size: number) => Buffer;

/** The production source: OpenSSL's CSPRNG through `crypto.randomBytes`. */
export const secureRandom: RandomSource = (size) => randomBytes(size);
