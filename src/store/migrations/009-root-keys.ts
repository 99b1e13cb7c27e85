import { type Kysely, type Migration, sql } from "kysely";
import type { StoreDialect } from "../schema.js";

/**
 * The root keyring (docs/operations.md "Root key rotation"): one row per root key that has
 * protected this database. A PKCS#11 key is named by its label (`kind = 'pkcs11'`); a raw key that
 * became active while instances ran is stored wrapped under the root key that was active then
 * (`wrapped`, `wrapped_by`), so that every instance learns it, and that copy is dropped when the
 * rotation completes (`retired_at` of the old key set). Which key is active is the `kms_meta` row
 * `root_key_active`. The same DDL serves both dialects, bytes aside.
 */
export function rootKeysMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("kms_root_keys")
        .addColumn("id", "text", (col) => col.primaryKey())
        .addColumn("kind", "text", (col) => col.notNull().check(sql`kind in ('raw', 'pkcs11')`))
        .addColumn("label", "text")
        .addColumn("wrapped", dialect === "postgres" ? "bytea" : "blob")
        .addColumn("wrapped_by", "text")
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("retired_at", "bigint")
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("kms_root_keys").execute();
    },
  };
}
