import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { KeyStore } from "../../src/store/key-store.js";
import { openStore } from "../../src/store/open-store.js";
import { auditHash, verifyAuditChain } from "../../src/security/audit-chain.js";
import { at, makeKey, makeVersion } from "./fixtures.js";
import { defineKeyStoreContract } from "./key-store.contract.js";
import { defineSecurityStoreContract, makeAuditEntry } from "./security.contract.js";
import { defineImportedMaterialContract } from "./imported-material.contract.js";
import { defineRootKeysContract } from "./root-keys.contract.js";
import { checkPerMaterialBackfill } from "./per-material-migration.js";
import { Kysely, PostgresDialect } from "kysely";
import { dropSchemas } from "../helpers/pg-schema.js";

const url = process.env.KMS_TEST_DATABASE_URL;
// Locally a missing database skips these tests; in CI it must fail, or PostgreSQL goes untested.
if (!url && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");

const schemas: string[] = [];
function freshSchema(): string {
  const schema = `kms_test_${randomBytes(6).toString("hex")}`;
  schemas.push(schema);
  return schema;
}
const open = (schema: string): Promise<KeyStore> => openStore({ databaseUrl: url!, dataDir: "unused", schema });

afterAll(async () => {
  if (!url || schemas.length === 0) return;
  await dropSchemas(url, schemas);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!url)("PostgreSQL store", () => {
  defineKeyStoreContract("postgres", () => open(freshSchema()));
  defineSecurityStoreContract("postgres", () => open(freshSchema()));
  defineImportedMaterialContract("postgres", () => open(freshSchema()));
  defineRootKeysContract("postgres", () => open(freshSchema()));

  it("extends one unbroken audit chain from two instances appending at once (advisory lock)", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    try {
      await Promise.all(
        Array.from({ length: 50 }, (_, n) => (n % 2 ? a : b).appendAudit(makeAuditEntry(n), auditHash)),
      );
      const all = await b.listAudit(0, 1000);
      expect(all).toHaveLength(50);
      expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, n) => n + 1));
      for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
      expect(await verifyAuditChain(all)).toEqual({ ok: true, count: 50, head: { seq: 50, hash: all[49]!.hash } });
      expect(new Set(all.map((r) => r.requestId)).size).toBe(50);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("serialises concurrent rotations of one key across two instances (lockKey = FOR UPDATE)", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    try {
      const key = makeKey({ description: "0" });
      await a.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertVersion(makeVersion(key.id, { versionId: key.initialVersionId }));
      });
      // Each rotation reads a counter under the lock, waits so that an unlocked reader would
      // interleave, then writes counter + 1 and a version created at that count.
      const rotate = (store: KeyStore) =>
        store.transaction(async (tx) => {
          const locked = (await tx.lockKey(key.id))!;
          const count = Number(locked.description) + 1;
          await sleep(10);
          const version = makeVersion(key.id, { createdAt: at(count) });
          await tx.insertVersion(version);
          await tx.updateKey({ ...locked, description: String(count), primaryVersionId: version.versionId });
        });
      await Promise.all(Array.from({ length: 10 }, (_, n) => rotate(n % 2 ? a : b)));

      const final = (await b.getKey(key.id))!;
      expect(final.description).toBe("10");
      const versions = (await a.listVersions(key.id, 100, null)).items;
      expect(versions).toHaveLength(11);
      expect(versions.map((v) => v.createdAt.getTime())).toEqual(Array.from({ length: 11 }, (_, n) => at(n).getTime()));
      expect(final.primaryVersionId).toBe(versions[10]!.versionId);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("never hands one due key to two instances (SKIP LOCKED)", async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([open(schema), open(schema)]);
    try {
      const keys = Array.from({ length: 6 }, (_, n) => makeKey({ state: "PendingDeletion", deletionAt: at(n) }));
      await a.transaction(async (tx) => {
        for (const key of keys) await tx.insertKey(key);
      });
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let lockedByA!: (ids: string[]) => void;
      const aLocked = new Promise<string[]>((resolve) => {
        lockedByA = resolve;
      });
      const sweepA = a.transaction(async (tx) => {
        lockedByA((await tx.lockKeysDueForDeletion(at(100), 3)).map((k) => k.id));
        await held;
      });
      const idsA = await aLocked;
      // Without SKIP LOCKED, B would wait for A's transaction, which waits for B: a timeout.
      const idsB = await Promise.race([
        b.transaction(async (tx) => (await tx.lockKeysDueForDeletion(at(100), 100)).map((k) => k.id)),
        sleep(5000).then(() => ["timed out"]),
      ]);
      release();
      await sweepA;
      expect(idsA).toEqual(keys.slice(0, 3).map((k) => k.id));
      expect(idsB).toEqual(keys.slice(3).map((k) => k.id));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("migration 007 gives each present imported material its key's former terms", async () => {
    const schema = freshSchema();
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}` });
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
    await db.schema.createSchema(schema).execute();
    await checkPerMaterialBackfill(db, "postgres", () => open(schema), schema);
  });

  it("migrates one fresh schema from several instances at once", async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema)));
    try {
      const key = makeKey();
      await stores[0]!.transaction((tx) => tx.insertKey(key));
      for (const store of stores) expect(await store.getKey(key.id)).toEqual(key);

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const tables = await client.query(
          "select table_name from information_schema.tables where table_schema = $1 order by table_name",
          [schema],
        );
        expect(tables.rows.map((r) => r.table_name)).toEqual([
          "kms_aliases",
          "kms_audit",
          "kms_client_keys",
          "kms_grants",
          "kms_key_policies",
          "kms_key_versions",
          "kms_keys",
          "kms_meta",
          "kms_principals",
          "kms_root_keys",
          "kysely_migration",
          "kysely_migration_lock",
        ]);
        const applied = await client.query(`select name from "${schema}".kysely_migration order by name`);
        expect(applied.rows).toEqual([
          { name: "001-initial" },
          { name: "002-security" },
          { name: "003-rotation-type" },
          { name: "004-client-keys" },
          { name: "005-retired-versions-and-batches" },
          { name: "006-imported-key-material" },
          { name: "007-per-material-terms" },
          { name: "008-audit-writer-chains" },
          { name: "009-root-keys" },
        ]);
        // Bytewise id order whatever the server's locale (this server's may already be C).
        const collated = await client.query(
          `select table_name || '.' || column_name as col from information_schema.columns
           where table_schema = $1 and collation_name = 'C' order by 1`,
          [schema],
        );
        expect(collated.rows.map((r) => r.col)).toEqual([
          "kms_aliases.key_id",
          "kms_aliases.name",
          "kms_client_keys.key_id",
          "kms_client_keys.principal",
          "kms_grants.grant_id",
          "kms_grants.grantee",
          "kms_grants.key_id",
          "kms_key_policies.key_id",
          "kms_key_versions.key_id",
          "kms_key_versions.version_id",
          "kms_keys.id",
          "kms_keys.initial_version_id",
          "kms_keys.primary_version_id",
          "kms_principals.name",
        ]);
      } finally {
        await client.end();
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("refuses a schema name that is not a plain identifier", async () => {
    await expect(openStore({ databaseUrl: url!, dataDir: "unused", schema: `x"; drop table y; --` })).rejects.toThrow(
      /invalid PostgreSQL schema name/,
    );
  });

  it("keeps version material byte-exact through bytea", async () => {
    const store = await open(freshSchema());
    try {
      const key = makeKey();
      const version = makeVersion(key.id, {
        wrappedMaterial: Buffer.from([0, 255, 0, 92, 39]),
        publicKey: randomBytes(300),
      });
      await store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertVersion(version);
      });
      expect(await store.getVersion(key.id, version.versionId)).toEqual(version);
      expect(await store.getVersion(key.id, randomUUID())).toBeNull();
    } finally {
      await store.close();
    }
  });
});
