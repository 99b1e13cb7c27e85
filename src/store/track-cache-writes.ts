import type { KeyStoreReader, KeyStoreTx } from "./key-store.js";
import { KyselyReader } from "./kysely-reader.js";
import type { KyselyTx } from "./kysely-tx.js";

/** The methods a transaction has beyond {@link KeyStoreReader}'s reads. */
export type TxOwnMethod = Exclude<keyof KeyStoreTx, keyof KeyStoreReader>;

/**
 * The transaction methods that never change a row the {@link ReadCache} holds (keys, principals,
 * ClientKeys, key policies, grants), each with the reason. Every other method a transaction has
 * beyond the reads clears the cache: a new write is safe by default, and a method joins this
 * list only with a reason (and a test proving it, `test/unit/store/track-cache-writes.test.ts`).
 * The audit sink's group commits are why the list exists: they leave the cache warm.
 */
export const KEEPS_CACHE = {
  lockKey: "a read that also takes a row lock",
  lockKeysDueForDeletion: "a read that also takes row locks",
  lockKeysDueForRotation: "a read that also takes row locks",
  lockKeysWithExpiredMaterial: "a read that also takes row locks",
  appendAudit: "audit records are not cached",
  appendAuditBatch: "audit records are not cached",
  insertAlias: "aliases are not cached (alias resolution reads kms_aliases every time)",
  updateAlias: "aliases are not cached",
  deleteAlias: "aliases are not cached",
  putMetaIfAbsent: "meta values are not cached",
} as const satisfies Partial<Record<TxOwnMethod, string>>;

/**
 * The names of a transaction's methods beyond the reads: everything its prototype chain defines
 * below {@link KyselyReader} (accessors and the constructor aside).
 */
export function txOwnMethods(tx: object): string[] {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(tx); proto && proto !== KyselyReader.prototype; ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== "constructor" && typeof descriptor?.value === "function") names.add(name);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return [...names];
}

/** Makes `tx` call `onWrite` before each of its methods that may change a cached row; returns `tx`. */
export function trackCacheWrites<T extends KyselyTx>(tx: T, onWrite: () => void): T {
  const methods = tx as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of txOwnMethods(tx)) {
    if (Object.hasOwn(KEEPS_CACHE, name)) continue;
    const original = methods[name]!.bind(tx);
    methods[name] = (...args: unknown[]) => {
      onWrite();
      return original(...args);
    };
  }
  return tx;
}
