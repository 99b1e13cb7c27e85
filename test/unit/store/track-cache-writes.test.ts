import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { auditHash } from "../../../src/security/audit-chain.js";
import type { KeyStoreTx } from "../../../src/store/key-store.js";
import { KyselyReader } from "../../../src/store/kysely-reader.js";
import { KyselyTx } from "../../../src/store/kysely-tx.js";
import { openStore, sqliteFile } from "../../../src/store/open-store.js";
import { KEEPS_CACHE, trackCacheWrites, txOwnMethods } from "../../../src/store/track-cache-writes.js";
import { at, makeAlias, makeKey, makeVersion } from "../../store-contract/fixtures.js";
import { makeAuditEntry, makeClientKey, makeGrant, makePrincipal } from "../../store-contract/security.contract.js";

/**
 * Which transaction writes clear the read cache is a denylist (`KEEPS_CACHE`): every other method
 * a transaction has beyond the reads clears it. These tests pin both halves: every method of the
 * real transaction class is either known to keep the cache or observed to clear it, and every
 * method that keeps it is run against a real database to prove it leaves the cached tables as
 * they were.
 */
const root = mkdtempSync(join(tmpdir(), "kms-cache-writes-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The tables whose rows `CachingKeyStore` serves from its cache (`caching-store.ts`). */
const CACHED_TABLES = ["kms_keys", "kms_principals", "kms_client_keys", "kms_key_policies", "kms_grants"];

function readMethodNames(): Set<string> {
  const names = new Set<string>();
  for (let p = KyselyReader.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) names.add(name);
  }
  return names;
}

describe("trackCacheWrites", () => {
  it("finds the transaction's own methods, the new import writes among them, and no read", () => {
    const own = txOwnMethods(Object.create(KyselyTx.prototype));
    const reads = readMethodNames();
    expect(own.filter((n) => reads.has(n))).toEqual([]);
    for (const name of ["updateKey", "setVersionMaterial", "deleteVersion", "trimVersion", "appendAudit"]) {
      expect(own).toContain(name);
    }
    for (const name of Object.keys(KEEPS_CACHE)) expect(own).toContain(name);
  });

  it("clears on every transaction method but those known to keep the cache, and never on a read", async () => {
    const tx = Object.create(KyselyTx.prototype) as Record<string, () => Promise<void>>;
    const own = txOwnMethods(tx);
    for (const name of [...own, ...readMethodNames()]) tx[name] = async () => {};
    let writes = 0;
    trackCacheWrites(tx as unknown as KyselyTx, () => {
      writes += 1;
    });
    const clearing: string[] = [];
    for (const name of own) {
      const before = writes;
      await tx[name]!();
      if (writes > before) clearing.push(name);
      else expect(Object.hasOwn(KEEPS_CACHE, name), `${name} neither clears nor is known harmless`).toBe(true);
    }
    for (const name of Object.keys(KEEPS_CACHE)) expect(clearing).not.toContain(name);
    expect(clearing).toEqual(
      expect.arrayContaining(["updateKey", "setVersionMaterial", "deleteVersion", "putKeyPolicy"]),
    );
    const before = writes;
    for (const name of readMethodNames()) if (name !== "constructor") await tx[name]!();
    expect(writes).toBe(before);
  });

  it("every method known to keep the cache leaves the cached tables as they were", async () => {
    const dataDir = join(root, "harmless");
    const store = await openStore({ dataDir });
    const key = makeKey();
    const principal = makePrincipal("carol");
    await store.transaction(async (tx) => {
      await tx.insertKey(key);
      await tx.insertVersion(makeVersion(key.id, { versionId: key.initialVersionId }));
      await tx.insertPrincipal(principal);
      await tx.insertClientKey(makeClientKey(principal.name));
      await tx.putKeyPolicy({ keyId: key.id, policy: "{}", updatedAt: at(0) });
      await tx.insertGrant(makeGrant(key.id));
      await tx.insertAlias(makeAlias("alias/before", key.id));
    });
    const calls: Record<keyof typeof KEEPS_CACHE, (tx: KeyStoreTx) => Promise<unknown>> = {
      lockKey: (tx) => tx.lockKey(key.id),
      lockKeysDueForDeletion: (tx) => tx.lockKeysDueForDeletion(at(10_000_000), 10),
      lockKeysDueForRotation: (tx) => tx.lockKeysDueForRotation(at(10_000_000), 10),
      lockKeysWithExpiredMaterial: (tx) => tx.lockKeysWithExpiredMaterial(at(10_000_000), 10),
      appendAudit: (tx) => tx.appendAudit(makeAuditEntry(1, { keyId: key.id }), auditHash),
      appendAuditBatch: (tx) => tx.appendAuditBatch([makeAuditEntry(2), makeAuditEntry(3)], auditHash),
      insertAlias: (tx) => tx.insertAlias(makeAlias("alias/new", key.id)),
      updateAlias: (tx) => tx.updateAlias(makeAlias("alias/before", key.id, { updatedAt: at(5) })),
      deleteAlias: (tx) => tx.deleteAlias("alias/new"),
      putMetaIfAbsent: (tx) => tx.putMetaIfAbsent("cache-test", "x"),
    };
    const db = new Database(sqliteFile(dataDir), { readonly: true });
    const snapshot = () => CACHED_TABLES.map((t) => db.prepare(`select * from ${t} order by rowid`).all());
    try {
      for (const [name, call] of Object.entries(calls)) {
        const before = snapshot();
        await store.transaction(call);
        expect(snapshot(), name).toEqual(before);
      }
    } finally {
      db.close();
      await store.close();
    }
  });
});
