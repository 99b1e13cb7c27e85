import { CompiledQuery, type DatabaseConnection, type Driver, SqliteDialect } from "kysely";

/**
 * SQLite transactions that take the write lock when they begin (`BEGIN IMMEDIATE`, sqlite.org
 * lang_transaction.html). Kysely begins deferred transactions, which read first and upgrade to a
 * writer later; in WAL mode that upgrade fails at once with `SQLITE_BUSY_SNAPSHOT`, without
 * waiting on `busy_timeout`, whenever another process committed in between — the server next to
 * a `kms` admin command (a root-key rotation re-wraps rows while calls are served) turned that
 * into spurious `DependencyTimeout` answers. Taking the lock first makes a second process wait
 * its turn, up to the busy timeout. Within one process Kysely runs every query on one
 * connection, so nothing there waits more than before.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw("begin immediate"));
    };
    return driver;
  }
}
