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

  set(keyId: string, versionId: string, material: VersionMaterial): void {
    if (this.ttlMs <= 0) return;
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.entries().next().value;
      if (oldest) this.#evict(oldest[0], oldest[1]);
    }
    this.#entries.set(`${keyId}/${versionId}`, { material, expiresAt: this.now() + this.ttlMs });
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
