import type { KeyStoreTx } from "./key-store.js";

/**
 * The transaction methods that change a row the {@link ReadCache} may hold (keys and their
 * versions, principals, ClientKeys, key policies, grants). Audit appends, aliases and meta values
 * are not among them, so the audit sink's group commits leave the cache warm.
 */
const CACHE_INVALIDATING = [
  "updateKey",
  "insertVersion",
  "deleteKey",
  "insertPrincipal",
  "deletePrincipal",
  "insertClientKey",
  "deleteClientKey",
  "putKeyPolicy",
  "insertGrant",
  "deleteGrant",
] as const satisfies readonly (keyof KeyStoreTx)[];

/** Makes `tx` call `onWrite` before each of its cache-invalidating writes; returns `tx`. */
export function trackCacheWrites<T extends KeyStoreTx>(tx: T, onWrite: () => void): T {
  const methods = tx as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of CACHE_INVALIDATING) {
    const original = methods[name]!.bind(tx);
    methods[name] = (...args: unknown[]) => {
      onWrite();
      return original(...args);
    };
  }
  return tx;
}
