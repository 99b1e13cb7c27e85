import { type Kysely, type Migration, sql } from "kysely";

/**
 * Records why a version was made, so that `ListKeyRotations` can report AWS's `RotationType`:
 * `AUTOMATIC` (the scheduler) or `ON_DEMAND` (`RotateKeyOnDemand`). Nullable: a key's initial
 * version is no rotation, and rows written before this migration do not know — the AWS operation
 * reads those as `ON_DEMAND`, as it reported every rotation before. The same DDL serves both
 * dialects (SQLite and PostgreSQL both add a nullable column with a CHECK in place).
 */
export function rotationTypeMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable("kms_key_versions")
        .addColumn("rotation_type", "text", (col) => col.check(sql`rotation_type in ('AUTOMATIC', 'ON_DEMAND')`))
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("kms_key_versions").dropColumn("rotation_type").execute();
    },
  };
}
