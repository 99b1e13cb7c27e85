import { type Kysely, type Migration, sql } from "kysely";
import type { StoreDialect } from "../schema.js";

/**
 * ClientKeys of the Alibaba KMS-instance protocol (`src/alibaba/`): one row per issued key pair,
 * holding only its certificate (the private key never reaches the service). A ClientKey belongs to
 * one principal and goes with it (`ON DELETE CASCADE`; `deletePrincipal` also deletes them
 * explicitly). `principal` has the same bytewise collation as `kms_principals.name` on PostgreSQL.
 */
export function clientKeysMigration(dialect: StoreDialect): Migration {
  const text = dialect === "postgres" ? sql`text collate "C"` : "text";
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("kms_client_keys")
        .addColumn("key_id", text, (col) => col.primaryKey())
        .addColumn("principal", text, (col) => col.notNull().references("kms_principals.name").onDelete("cascade"))
        .addColumn("certificate", "text", (col) => col.notNull())
        .addColumn("not_after", "bigint", (col) => col.notNull())
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .execute();
      await db.schema.createIndex("kms_client_keys_principal_idx").on("kms_client_keys").column("principal").execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("kms_client_keys").execute();
    },
  };
}
