import { type Kysely, type Migration, sql } from "kysely";

/**
 * The terms of each imported key material, per material (AWS's 2025 multi-material imported keys:
 * every material of a key has its own `ExpirationModel`, `ValidTo` and `KeyMaterialDescription`).
 * On `kms_key_versions`:
 *
 * - `expiration_model` and `valid_to`: the terms of the material's current import; null when the
 *   material is absent (never imported, deleted or expired) or was generated here. The sweeper
 *   finds expired material through the `valid_to` index.
 * - `material_description`: the caller's description of the material; it outlives the material
 *   (AWS keeps it when the same material is re-imported without one).
 *
 * `kms_keys.expiration_model` / `material_expires_at` (migration 006) stay, now a summary the
 * service writes with every change of a key's material: whether any material it depends on
 * expires, and the earliest such expiry (AWS `KeyMetadata.ExpirationModel` / `ValidTo`). Their
 * sweeper index goes. Existing rows are carried over: each present imported material takes its
 * key's former terms, which until now applied to all of it at once.
 */
export function perMaterialTermsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable("kms_key_versions")
        .addColumn("expiration_model", "text", (col) =>
          col.check(sql`expiration_model in ('KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE')`),
        )
        .execute();
      await db.schema.alterTable("kms_key_versions").addColumn("valid_to", "bigint").execute();
      await db.schema.alterTable("kms_key_versions").addColumn("material_description", "text").execute();
      await sql`
        update kms_key_versions
           set expiration_model = (select k.expiration_model from kms_keys k where k.id = kms_key_versions.key_id),
               valid_to = (select k.material_expires_at from kms_keys k where k.id = kms_key_versions.key_id)
         where material_digest is not null and length(wrapped_material) > 0`.execute(db);
      await db.schema.createIndex("kms_key_versions_valid_to_idx").on("kms_key_versions").column("valid_to").execute();
      await db.schema.dropIndex("kms_keys_material_expiry_idx").execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex("kms_keys_material_expiry_idx")
        .on("kms_keys")
        .columns(["origin", "material_expires_at"])
        .execute();
      await db.schema.dropIndex("kms_key_versions_valid_to_idx").execute();
      for (const column of ["material_description", "valid_to", "expiration_model"]) {
        await db.schema.alterTable("kms_key_versions").dropColumn(column).execute();
      }
    },
  };
}
