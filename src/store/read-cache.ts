interface Entry {
  value: unknown;
  expiresAt: number;
}

/**
 * A bounded in-process cache of store reads that change rarely and are made on every call
 * (the caller's principal, the key record, its policy and grants).
 *
 * Two rules keep it correct:
 * - an entry expires `ttlMs` after the read that filled it *started*, so a change committed by any
 *   writer (another instance, the `kms` CLI on the same SQLite file) is seen by every later read
 *   at most `ttlMs` after its commit;
 * - {@link ReadCache.clear} (called after every local write that can change a cached row) bumps a
 *   generation, and a read that was in flight across a clear does not store its result, so a value
 *   read before a local write never outlives it.
 *
 * Misses (`null`) are not cached: a principal, grant or key created anywhere works at once.
 */
export class ReadCache {
  readonly #entries = new Map<string, Entry>();
  #generation = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries held now (live or not yet dropped). */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached value for `key`, or `load()`'s result (stored when not null and still current). */
  async read<T>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const started = this.now();
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      if (hit.expiresAt > started) return hit.value as T;
      this.#entries.delete(key);
    }
    const generation = this.#generation;
    const value = await load();
    if (value !== null && generation === this.#generation && this.ttlMs > 0) {
      this.#dropExpired(this.now());
      if (this.#entries.size >= this.maxEntries) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
      this.#entries.set(key, { value, expiresAt: started + this.ttlMs });
    }
    return value;
  }

  /**
   * Drops expired entries from the oldest end. Entries are stored in about the order they expire
   * (one TTL for all), so this stops at the first live one and costs O(1) per stored entry: the
   * cache then holds about one TTL's worth of reads instead of filling to `maxEntries` with dead
   * ones (memory under load: bench/REPORT.md).
   */
  #dropExpired(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) return;
      this.#entries.delete(key);
    }
  }

  /** Forgets every entry, and every read still in flight. */
  clear(): void {
    this.#generation += 1;
    this.#entries.clear();
  }
}
