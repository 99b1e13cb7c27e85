/** Unwrapped material of one key version: the secret and, for asymmetric keys, the SPKI public key. */
export interface VersionMaterial {
  secret: Buffer;
  publicKey: Buffer | null;
}

interface Entry {
  material: VersionMaterial;
  expiresAt: number;
}

/**
 * A short-lived in-process cache of unwrapped key-version material, so that a hot key is not
 * unwrapped under the root key on every call. Disabling, deleting or rotating a key invalidates
 * its entries; state is not cached here (the key record comes from the store's read cache, which
 * other instances' changes clear within 1 s: `src/store/caching-store.ts`). Evicted secrets are
 * zeroed.
 */
export class MaterialCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(keyId: string, versionId: string): VersionMaterial | undefined {
    const id = `${keyId}/${versionId}`;
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#evict(id, entry);
      return undefined;
    }
    return entry.material;
  }

  /**
   * Caches a version's material and returns what the caller should use from now on. The cache
   * keeps copies in buffers of their own and zeroes the given secret: a secret from
   * `Buffer.concat` or a public key parsed from a database row is a slice of Node's shared 8 KiB
   * allocation pool, and a cached slice would pin that whole slab (with whatever else it holds)
   * for as long as the entry lives.
   */
  set(keyId: string, versionId: string, material: VersionMaterial): VersionMaterial {
    if (this.ttlMs <= 0) return material;
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.entries().next().value;
      if (oldest) this.#evict(oldest[0], oldest[1]);
    }
    const owned = { secret: ownCopy(material.secret), publicKey: material.publicKey && ownCopy(material.publicKey) };
    material.secret.fill(0);
    this.#entries.set(`${keyId}/${versionId}`, { material: owned, expiresAt: this.now() + this.ttlMs });
    return owned;
  }

  /** Drops every cached version of a key. */
  invalidate(keyId: string): void {
    for (const [id, entry] of this.#entries) {
      if (id.startsWith(`${keyId}/`)) this.#evict(id, entry);
    }
  }

  clear(): void {
    for (const [id, entry] of this.#entries) this.#evict(id, entry);
  }

  #evict(id: string, entry: Entry): void {
    this.#entries.delete(id);
    entry.material.secret.fill(0);
  }
}

/** A copy in memory of its own: `Buffer.alloc` never hands out a slice of the shared pool. */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.alloc(bytes.length);
  bytes.copy(copy);
  return copy;
}
