import { timingSafeEqual } from "node:crypto";

interface Entry {
  /** The principal's wrapped secret the key was derived from: a changed secret is a miss. */
  wrapped: Buffer;
  key: Buffer;
}

/**
 * SigV4 signing keys already derived, per access key id and credential scope (day, region,
 * service). Without it, every AWS call unwrapped the principal's secret under the root key and ran
 * the four chained HMACs of the key derivation again — the same work, for the same answer, all day
 * long (AWS's SDKs keep the same cache on the signing side). A signing key is good for one day,
 * region and service only, which is why it, and never the secret, is what is kept.
 *
 * An entry is used only while the principal's stored, wrapped secret is byte for byte the one it
 * was derived from, so a new secret or a root-key rewrap is a miss; a deleted principal is never
 * looked up (its record is gone first). Bounded: the oldest entry is dropped. A dropped key is not
 * zeroed: a call that was handed it may not have used it yet (its verification resumes after an
 * await), and zeroing would fail that call's valid signature.
 */
export class SigningKeyCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 1024) {}

  /** The cached key for this scope and wrapped secret, or the one `derive` makes (then cached). */
  async get(scope: string, wrapped: Buffer, derive: () => Promise<Buffer>): Promise<Buffer> {
    const entry = this.#entries.get(scope);
    if (entry && entry.wrapped.length === wrapped.length && timingSafeEqual(entry.wrapped, wrapped)) {
      return entry.key;
    }
    const key = await derive();
    this.#entries.delete(scope);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    // A copy of the wrapped secret: the record's may be a slice that pins a larger buffer.
    this.#entries.set(scope, { wrapped: Buffer.from(wrapped), key });
    return key;
  }
}
