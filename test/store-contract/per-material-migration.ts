import { randomBytes, randomUUID } from "node:crypto";
import { type Kysely, Migrator } from "kysely";
import { expect } from "vitest";
import type { KeyStore } from "../../src/store/key-store.js";
import { migrationProvider } from "../../src/store/migrations/index.js";
import { keyToRow, versionToRow } from "../../src/store/rows.js";
import type { StoreDialect } from "../../src/store/schema.js";
import { at, makeKey, makeVersion } from "./fixtures.js";

/**
 * Migration 007 on a database that has imported keys from before it: brings `db` to 006, stores
 * a key whose terms (then key-wide) are `KEY_MATERIAL_EXPIRES` at one time, with one present and
 * one absent material, then lets `reopen` migrate to the latest. The present material takes the
 * key's terms, the absent one none, and the key keeps its summary.
 */
export async function checkPerMaterialBackfill(
  db: Kysely<unknown>,
  dialect: StoreDialect,
  reopen: () => Promise<KeyStore>,
  migrationTableSchema?: string,
): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), migrationTableSchema });
  const { error } = await migrator.migrateTo("006-imported-key-material");
  if (error !== undefined) throw error;
  const key = makeKey({
    origin: "EXTERNAL",
    expirationModel: "KEY_MATERIAL_EXPIRES",
    materialExpiresAt: at(50_000),
  });
  const present = makeVersion(key.id, { versionId: key.initialVersionId, materialDigest: randomBytes(32) });
  const absent = makeVersion(key.id, {
    versionId: randomUUID(),
    createdAt: at(1),
    wrappedMaterial: Buffer.alloc(0),
    materialDigest: randomBytes(32),
  });
  const generated = makeKey();
  const generatedVersion = makeVersion(generated.id, { versionId: generated.initialVersionId });
  const at006 = (v: typeof present) => {
    const row: Record<string, unknown> = { ...versionToRow(v) };
    for (const column of ["expiration_model", "valid_to", "material_description"]) delete row[column];
    return row;
  };
  // biome-ignore lint/suspicious/noExplicitAny: the database is at an older shape than the typed schema
  const old = db as Kysely<any>;
  await old
    .insertInto("kms_keys")
    .values([keyToRow(key), keyToRow(generated)])
    .execute();
  await old
    .insertInto("kms_key_versions")
    .values([at006(present), at006(absent), at006(generatedVersion)])
    .execute();
  await db.destroy();

  const store = await reopen();
  try {
    expect(await store.getVersion(key.id, present.versionId)).toEqual({
      ...present,
      expirationModel: "KEY_MATERIAL_EXPIRES",
      validTo: at(50_000),
      materialDescription: null,
    });
    expect(await store.getVersion(key.id, absent.versionId)).toEqual({
      ...absent,
      expirationModel: null,
      validTo: null,
      materialDescription: null,
    });
    expect((await store.getVersion(generated.id, generatedVersion.versionId))?.validTo).toBeNull();
    expect(await store.getKey(key.id)).toEqual(key);
    const due = await store.transaction((tx) => tx.lockKeysWithExpiredMaterial(at(50_000), 10));
    expect(due.map((k) => k.id)).toEqual([key.id]);
  } finally {
    await store.close();
  }
}
