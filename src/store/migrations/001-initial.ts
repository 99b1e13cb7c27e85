import { type ColumnDataType, type Expression, type Kysely, type Migration, sql } from "kysely";
import type { StoreDialect } from "../schema.js";

type ColumnType = ColumnDataType | Expression<unknown>;

/**
 * Identifier columns sort bytewise on PostgreSQL too (`COLLATE "C"`), as they do on SQLite, so
 * listings come out in the same order on both dialects whatever the database's locale.
 */
function idType(dialect: StoreDialect): ColumnType {
  return dialect === "postgres" ? sql`text collate "C"` : "text";
}

function bytesType(dialect: StoreDialect): ColumnType {
  return dialect === "postgres" ? "bytea" : "blob";
}

/**
 * The initial schema: keys, their versions (wrapped material), aliases and service metadata.
 * Times are epoch milliseconds in `bigint` columns, exact on both dialects; booleans are integer
 * 0/1. The indexes serve the listing orders and the scheduler's due-deletion and due-rotation scans.
 */
export function initialMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("kms_keys")
        .addColumn("id", idType(dialect), (col) => col.primaryKey())
        .addColumn("description", "text", (col) => col.notNull())
        .addColumn("spec", "text", (col) => col.notNull())
        .addColumn("usage", "text", (col) => col.notNull())
        .addColumn("state", "text", (col) => col.notNull())
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("deletion_at", "bigint")
        .addColumn("initial_version_id", idType(dialect), (col) => col.notNull())
        .addColumn("primary_version_id", idType(dialect), (col) => col.notNull())
        .addColumn("rotation_enabled", "integer", (col) => col.notNull().defaultTo(0))
        .addColumn("rotation_period_days", "integer")
        .addColumn("next_rotation_at", "bigint")
        .addColumn("tags", "text", (col) => col.notNull().defaultTo("{}"))
        .execute();
      await db.schema.createIndex("kms_keys_created_idx").on("kms_keys").columns(["created_at", "id"]).execute();
      await db.schema.createIndex("kms_keys_deletion_idx").on("kms_keys").columns(["state", "deletion_at"]).execute();
      await db.schema
        .createIndex("kms_keys_rotation_idx")
        .on("kms_keys")
        .columns(["state", "rotation_enabled", "next_rotation_at"])
        .execute();

      await db.schema
        .createTable("kms_key_versions")
        .addColumn("key_id", idType(dialect), (col) => col.notNull().references("kms_keys.id").onDelete("cascade"))
        .addColumn("version_id", idType(dialect), (col) => col.notNull())
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("wrapped_material", bytesType(dialect), (col) => col.notNull())
        .addColumn("public_key", bytesType(dialect))
        .addPrimaryKeyConstraint("kms_key_versions_pk", ["key_id", "version_id"])
        .execute();
      await db.schema
        .createIndex("kms_key_versions_created_idx")
        .on("kms_key_versions")
        .columns(["key_id", "created_at", "version_id"])
        .execute();

      await db.schema
        .createTable("kms_aliases")
        .addColumn("name", idType(dialect), (col) => col.primaryKey())
        .addColumn("key_id", idType(dialect), (col) => col.notNull().references("kms_keys.id").onDelete("cascade"))
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .addColumn("updated_at", "bigint", (col) => col.notNull())
        .execute();
      await db.schema.createIndex("kms_aliases_key_idx").on("kms_aliases").columns(["key_id", "name"]).execute();

      await db.schema
        .createTable("kms_meta")
        .addColumn("name", "text", (col) => col.primaryKey())
        .addColumn("value", "text", (col) => col.notNull())
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("kms_meta").execute();
      await db.schema.dropTable("kms_aliases").execute();
      await db.schema.dropTable("kms_key_versions").execute();
      await db.schema.dropTable("kms_keys").execute();
    },
  };
}
