import type { Kysely, Migration } from "kysely";

/**
 * Retiring old key versions, and batch calls in the audit trail:
 *
 * - `kms_keys.min_decryption_version_id`: versions created before it are retired (Decrypt refuses
 *   them, ReEncrypt still reads them); null when every version decrypts.
 * - `kms_key_versions.trimmed_at`: when `TrimKeyVersions` destroyed the version's material (the
 *   `wrapped_material` column then holds zero bytes); null while the material exists.
 * - `kms_audit.item_count`: a batch call's number of items; null for other calls. Hashed only when
 *   present, so every record written before this migration keeps its hash.
 *
 * - `kms_keys.origin`: `EXTERNAL` for a key whose material came from outside (a seed file); null
 *   for material the service generated (AWS `Origin: AWS_KMS`).
 *
 * All four are nullable columns added in place, the same DDL on SQLite and PostgreSQL.
 */
export function retiredVersionsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("kms_keys").addColumn("min_decryption_version_id", "text").execute();
      await db.schema.alterTable("kms_keys").addColumn("origin", "text").execute();
      await db.schema.alterTable("kms_key_versions").addColumn("trimmed_at", "bigint").execute();
      await db.schema.alterTable("kms_audit").addColumn("item_count", "bigint").execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("kms_audit").dropColumn("item_count").execute();
      await db.schema.alterTable("kms_key_versions").dropColumn("trimmed_at").execute();
      await db.schema.alterTable("kms_keys").dropColumn("origin").execute();
      await db.schema.alterTable("kms_keys").dropColumn("min_decryption_version_id").execute();
    },
  };
}
