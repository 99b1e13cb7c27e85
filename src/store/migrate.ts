import { type Kysely, Migrator, sql } from "kysely";
import { migrationProvider } from "./migrations/index.js";
import type { StoreDialect } from "./schema.js";

/**
 * The advisory-lock key that serialises migrations of this service on one PostgreSQL server
 * (the bytes of "KMSMIG"). Constant across schemas: migrations are rare and short.
 */
export const MIGRATION_LOCK_KEY = 0x4b4d534d4947;

async function runMigrator(db: Kysely<unknown>, dialect: StoreDialect, tableSchema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), migrationTableSchema: tableSchema });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw error;
  return (results ?? []).map((r) => r.migrationName);
}

/**
 * Brings the database to the latest schema; returns the names of the migrations it applied.
 *
 * On PostgreSQL several instances may start at once. Kysely's migrator locks only its migration
 * step, not the creation of its own bookkeeping tables (nor our schema), so the whole run happens
 * under a session-level `pg_advisory_lock` on one dedicated connection: the second instance waits,
 * then finds everything applied. The migration tables live in the current schema (`search_path`),
 * named explicitly because Kysely otherwise finds another schema's `kysely_migration` and skips
 * creating ours.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: StoreDialect, schema?: string): Promise<string[]> {
  if (dialect === "sqlite") return runMigrator(db, dialect);
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`.execute(conn);
    try {
      if (schema !== undefined) await sql`create schema if not exists ${sql.id(schema)}`.execute(conn);
      const current = await sql<{ name: string | null }>`select current_schema() as name`.execute(conn);
      const name = current.rows[0]?.name;
      if (!name) throw new Error("PostgreSQL has no current schema: check search_path");
      return await runMigrator(conn, dialect, name);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`.execute(conn);
    }
  });
}
