import { type ColumnDataType, type Expression, type Kysely, type Migration, sql } from "kysely";
import type { StoreDialect } from "../schema.js";

type ColumnType = ColumnDataType | Expression<unknown>;

/** Bytewise-ordered text on PostgreSQL, as in 001 (listings sort the same on both dialects). */
function idType(dialect: StoreDialect): ColumnType {
  return dialect === "postgres" ? sql`text collate "C"` : "text";
}

function bytesType(dialect: StoreDialect): ColumnType {
  return dialect === "postgres" ? "bytea" : "blob";
}

/**
 * The security tables (docs/security.md): principals, key policies, grants and the audit trail.
 *
 * Policies and grants belong to a key (`ON DELETE CASCADE`; `deleteKey` also deletes them
 * explicitly). Credentials are stored only as a token hash and a wrapped secret, both unique so
 * that a credential identifies exactly one principal (and a grant token one grant).
 *
 * `kms_audit.seq` is a plain 64-bit primary key (`integer` on SQLite: the rowid), not an
 * autoincrement or `bigserial`: the store
 * assigns it (last seq + 1) under the append lock before hashing, because the hash covers seq
 * (see `src/security/audit-chain.ts`). A sequence would hand out numbers the chain never uses,
 * and the primary key still refuses two records with one seq should the lock ever be bypassed.
 */
export function securityMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("kms_principals")
        .addColumn("name", idType(dialect), (col) => col.primaryKey())
        .addColumn("is_admin", "integer", (col) => col.notNull().defaultTo(0))
        .addColumn("token_hash", "text", (col) => col.notNull().unique())
        .addColumn("access_key_id", "text", (col) => col.notNull().unique())
        .addColumn("wrapped_secret", bytesType(dialect), (col) => col.notNull())
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .execute();

      await db.schema
        .createTable("kms_key_policies")
        .addColumn("key_id", idType(dialect), (col) => col.primaryKey().references("kms_keys.id").onDelete("cascade"))
        .addColumn("policy", "text", (col) => col.notNull())
        .addColumn("updated_at", "bigint", (col) => col.notNull())
        .execute();

      await db.schema
        .createTable("kms_grants")
        .addColumn("grant_id", idType(dialect), (col) => col.primaryKey())
        .addColumn("key_id", idType(dialect), (col) => col.notNull().references("kms_keys.id").onDelete("cascade"))
        .addColumn("grantee", idType(dialect), (col) => col.notNull())
        .addColumn("retiring_principal", "text")
        .addColumn("operations", "text", (col) => col.notNull())
        .addColumn("constraints", "text")
        .addColumn("name", "text")
        .addColumn("token_hash", "text", (col) => col.notNull().unique())
        .addColumn("created_by", "text", (col) => col.notNull())
        .addColumn("created_at", "bigint", (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex("kms_grants_key_idx")
        .on("kms_grants")
        .columns(["key_id", "created_at", "grant_id"])
        .execute();
      await db.schema
        .createIndex("kms_grants_grantee_idx")
        .on("kms_grants")
        .columns(["grantee", "created_at", "grant_id"])
        .execute();

      await db.schema
        .createTable("kms_audit")
        .addColumn("seq", dialect === "postgres" ? "bigint" : "integer", (col) => col.primaryKey())
        .addColumn("at", "bigint", (col) => col.notNull())
        .addColumn("principal", "text", (col) => col.notNull())
        .addColumn("operation", "text", (col) => col.notNull())
        .addColumn("key_id", "text")
        .addColumn("request_id", "text", (col) => col.notNull())
        .addColumn("outcome", "text", (col) => col.notNull().check(sql`outcome in ('ok', 'error')`))
        .addColumn("error_code", "text")
        .addColumn("prev_hash", "text", (col) => col.notNull())
        .addColumn("hash", "text", (col) => col.notNull())
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("kms_audit").execute();
      await db.schema.dropTable("kms_grants").execute();
      await db.schema.dropTable("kms_key_policies").execute();
      await db.schema.dropTable("kms_principals").execute();
    },
  };
}
