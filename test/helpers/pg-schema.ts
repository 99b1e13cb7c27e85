import pg from "pg";
import { MIGRATION_LOCK_KEY } from "../../src/store/migrate.js";

/**
 * Drops test schemas while holding the service's migration lock. Kysely's migrator lists the
 * tables of every schema on the server before it migrates; a schema dropped by another test file
 * in the middle of that listing makes it fail ("schema … does not exist"). Migrations run under
 * this lock, so a drop taken under it can never interleave with one.
 */
export async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
    await client.query("select pg_advisory_unlock($1::bigint)", [MIGRATION_LOCK_KEY]);
  } finally {
    await client.end();
  }
}
