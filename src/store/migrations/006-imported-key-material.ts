import { type Kysely, type Migration, sql } from "kysely";
import type { StoreDialect } from "../schema.js";

/**
 * Imported key material (AWS `Origin: EXTERNAL`, the `origin` column of migration 005). On
 * `kms_keys`: the expiration model and time of the imported material (the sweeper's scan has its
 * own index), and a version imported for the next on-demand rotation. On
 * `kms_key_versions`: a digest of imported material that outlives the material itself, so that a
 * re-import can be proven to be the same. And an index of the audit trail by key, for AWS
 * `GetKeyLastUsage`. The same DDL serves both dialects, bytes aside.
 */
export function importedKeyMaterialMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable("kms_keys")
        .addColumn("expiration_model", "text", (col) =>
          col.check(sql`expiration_model in ('KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE')`),
        )
        .execute();
      await db.schema.alterTable("kms_keys").addColumn("material_expires_at", "bigint").execute();
      await db.schema.alterTable("kms_keys").addColumn("pending_version_id", "text").execute();
      await db.schema
        .createIndex("kms_keys_material_expiry_idx")
        .on("kms_keys")
        .columns(["origin", "material_expires_at"])
        .execute();
      await db.schema
        .alterTable("kms_key_versions")
        .addColumn("material_digest", dialect === "postgres" ? "bytea" : "blob")
        .execute();
      await db.schema.createIndex("kms_audit_key_idx").on("kms_audit").columns(["key_id", "seq"]).execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex("kms_audit_key_idx").execute();
      await db.schema.alterTable("kms_key_versions").dropColumn("material_digest").execute();
      await db.schema.dropIndex("kms_keys_material_expiry_idx").execute();
      for (const column of ["pending_version_id", "material_expires_at", "expiration_model"]) {
        await db.schema.alterTable("kms_keys").dropColumn(column).execute();
      }
    },
  };
}
