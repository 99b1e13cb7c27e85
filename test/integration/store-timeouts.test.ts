import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openStore, sqliteFile } from "../../src/store/open-store.js";
import { makeKey, makeVersion } from "../store-contract/fixtures.js";
import { dropSchemas } from "../helpers/pg-schema.js";
import { codeOf } from "../helpers/code-of.js";

const url = process.env.KMS_TEST_DATABASE_URL;
if (!url && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");

/**
 * A database that does not answer in time is `DependencyTimeout` (AWS: HTTP 503
 * DependencyTimeoutException; gRPC: unavailable, which clients retry), never `Internal`.
 */
describe("a locked database is DependencyTimeout", () => {
  it("SQLite: another process holds the write lock past busy_timeout", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "kms-timeout-"));
    const store = await openStore({ dataDir, timeoutMs: 200 });
    const other = new Database(sqliteFile(dataDir));
    try {
      other.exec("BEGIN EXCLUSIVE");
      expect(await codeOf(store.transaction((tx) => tx.putMetaIfAbsent("k", "v")))).toBe("DependencyTimeout");
      other.exec("ROLLBACK");
      expect(await store.transaction((tx) => tx.putMetaIfAbsent("k", "v"))).toBe("v");
    } finally {
      other.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!url)("PostgreSQL: a key row locked elsewhere past lock_timeout", async () => {
    const schema = `kms_timeout_${Date.now().toString(36)}`;
    const store = await openStore({ databaseUrl: url!, dataDir: "unused", schema, timeoutMs: 300 });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const key = makeKey();
      await store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertVersion(makeVersion(key.id, { versionId: key.initialVersionId }));
      });
      await client.query("begin");
      await client.query(`select id from "${schema}".kms_keys where id = $1 for update`, [key.id]);
      expect(await codeOf(store.transaction((tx) => tx.lockKey(key.id)))).toBe("DependencyTimeout");
      await client.query("rollback");
      expect((await store.transaction((tx) => tx.lockKey(key.id)))?.id).toBe(key.id);
    } finally {
      await client.end();
      await store.close();
      await dropSchemas(url!, [schema]);
    }
  });
});
