import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, sqliteFile } from "../../src/store/open-store.js";
import { makeKey } from "./fixtures.js";
import { defineKeyStoreContract } from "./key-store.contract.js";
import { defineSecurityStoreContract } from "./security.contract.js";
import { defineImportedMaterialContract } from "./imported-material.contract.js";
import { defineRootKeysContract } from "./root-keys.contract.js";
import { checkPerMaterialBackfill } from "./per-material-migration.js";
import { Kysely, SqliteDialect } from "kysely";
import { mkdirSync } from "node:fs";

const root = mkdtempSync(join(tmpdir(), "kms-store-"));
let n = 0;
const freshDir = () => join(root, `db-${n++}`, "data");

afterAll(() => rmSync(root, { recursive: true, force: true }));

defineKeyStoreContract("sqlite", () => openStore({ dataDir: freshDir() }));
defineSecurityStoreContract("sqlite", () => openStore({ dataDir: freshDir() }));
defineImportedMaterialContract("sqlite", () => openStore({ dataDir: freshDir() }));
defineRootKeysContract("sqlite", () => openStore({ dataDir: freshDir() }));

describe("SQLite store file", () => {
  it("creates the data dir 0700 and a WAL database that outlives the store", async () => {
    const dir = freshDir();
    const logged: object[] = [];
    const store = await openStore({ dataDir: dir, logger: { info: (obj) => logged.push(obj) } });
    const key = makeKey({ tags: { durable: "yes" } });
    await store.transaction((tx) => tx.insertKey(key));
    await store.close();

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(logged).toEqual([
      {
        dialect: "sqlite",
        applied: [
          "001-initial",
          "002-security",
          "003-rotation-type",
          "004-client-keys",
          "005-retired-versions-and-batches",
          "006-imported-key-material",
          "007-per-material-terms",
          "008-audit-writer-chains",
          "009-root-keys",
        ],
        file: sqliteFile(dir),
      },
    ]);
    const raw = new Database(sqliteFile(dir), { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();

    const reopened = await openStore({ dataDir: dir, logger: { info: (obj) => logged.push(obj) } });
    expect(await reopened.getKey(key.id)).toEqual(key);
    expect(logged[1]).toEqual({ dialect: "sqlite", applied: [], file: sqliteFile(dir) });
    await reopened.close();
  });

  it("migration 007 gives each present imported material its key's former terms", async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(sqliteFile(dir)) }) });
    await checkPerMaterialBackfill(db, "sqlite", () => openStore({ dataDir: dir }));
  });

  it("treats a non-PostgreSQL database URL as SQLite in the data dir", async () => {
    const dir = freshDir();
    const store = await openStore({ databaseUrl: "sqlite:ignored", dataDir: dir });
    expect(store.dialect).toBe("sqlite");
    await store.close();
    expect(statSync(sqliteFile(dir)).isFile()).toBe(true);
  });
});
