import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Tracer } from "@opentelemetry/api";
import SqliteDatabase from "better-sqlite3";
import { CompiledQuery, type Dialect, Kysely, PostgresDialect, SqliteDialect } from "kysely";
import type { KeyStore } from "./key-store.js";
import { type ChangeFeed, CachingKeyStore } from "./caching-store.js";
import { KyselyKeyStore } from "./kysely-store.js";
import { migrateToLatest } from "./migrate.js";
import { withDependencyTimeouts } from "./dependency-timeouts.js";
import { createPgPool } from "./pg-pool.js";
import { announceChange, PgChangeListener } from "./pg-change-listener.js";
import { querySpans } from "./query-spans.js";
import { ReadCache } from "./read-cache.js";
import { SqliteAuditWriter } from "./sqlite-audit-writer.js";
import { sqliteChangeCheck } from "./sqlite-change-check.js";
import type { Database, StoreDialect } from "./schema.js";

/** The part of a pino logger the store uses. */
export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
}

export interface OpenStoreOptions {
  /** `postgres://…` or `postgresql://…` selects PostgreSQL (`KMS_DATABASE_URL`); anything else, SQLite. */
  databaseUrl?: string;
  /** Holds `kms.sqlite` when no PostgreSQL URL is given (`KMS_DATA_DIR`). */
  dataDir: string;
  /**
   * PostgreSQL only: the schema to use, created if missing. Set as every connection's
   * `search_path`, so tests can isolate themselves in a fresh schema each.
   */
  schema?: string;
  logger?: StoreLogger;
  /**
   * How long a statement, lock wait or connection attempt may take before it fails as
   * `DependencyTimeout` (SQLite `busy_timeout`, default 5 s; PostgreSQL `statement_timeout`,
   * `lock_timeout` and the pool's connection timeout, 15 s).
   */
  timeoutMs?: number;
  /** SQLite only: a database in memory, gone when the process ends (dev mode); `dataDir` is unused. */
  inMemory?: boolean;
  /**
   * How long a cached principal, key record, policy or grant may serve calls after the read that
   * filled it (default {@link CACHE_TTL_MS}); 0 turns the read cache off. See `caching-store.ts`.
   */
  readCacheTtlMs?: number;
  /** When tracing is on: every statement becomes a span beneath the call that ran it (`query-spans.ts`). */
  tracer?: Tracer | undefined;
}

/**
 * The bound on how late a change committed by another writer (another instance on PostgreSQL,
 * the `kms` CLI on the SQLite file) is seen here: disabling a key or deleting a principal on one
 * instance is refused by every other within this time. Local changes are seen at once.
 */
export const CACHE_TTL_MS = 1_000;
const CACHE_MAX_ENTRIES = 10_000;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The SQLite file in the data dir; exported so operations docs and tests name the same path. */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, "kms.sqlite");
}

function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

function postgresDialect(
  url: string,
  schema: string | undefined,
  logger: StoreLogger | undefined,
  timeouts: { statementMs: number; lockMs: number; connectMs: number },
): Dialect {
  // A statement or lock wait past these limits fails (SQLSTATE 57014 / 55P03) and is answered as
  // DependencyTimeout, rather than holding the caller and a pool connection indefinitely.
  const sessionSetup = [
    ...(schema !== undefined ? [`set search_path to "${schema}"`] : []),
    `set statement_timeout = ${timeouts.statementMs}`,
    `set lock_timeout = ${timeouts.lockMs}`,
  ];
  const pool = createPgPool({
    connectionString: url,
    connectTimeoutMs: timeouts.connectMs,
    sessionSetup,
    onConnectionError: (err) => logger?.warn?.({ err: err.message }, "PostgreSQL connection failed"),
  });
  return new PostgresDialect({ pool });
}

/**
 * Durability over speed: WAL lets readers run beside the writer, `synchronous = FULL` makes a
 * commit survive power loss (key material must not vanish after the caller got its key id),
 * and `foreign_keys` is off by default in SQLite.
 */
function sqliteDatabase(dataDir: string, busyMs: number, inMemory = false): SqliteDatabase.Database {
  if (!inMemory) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const database = new SqliteDatabase(inMemory ? ":memory:" : sqliteFile(dataDir));
  if (!inMemory) database.pragma("journal_mode = WAL");
  database.pragma("synchronous = FULL");
  database.pragma("foreign_keys = ON");
  database.pragma(`busy_timeout = ${busyMs}`);
  return database;
}

/**
 * SQLite transactions that take the write lock when they begin (`BEGIN IMMEDIATE`), waiting up to
 * `busy_timeout` for it. Several processes share the file (`KMS_PROCESSES`, the `kms` CLI): a
 * deferred transaction that reads, then writes after another connection committed, fails at once
 * with `SQLITE_BUSY` (the busy handler cannot help it), where an immediate one just waits its turn.
 */
function immediateTransactions(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => {
      const driver = dialect.createDriver();
      driver.beginTransaction = async (connection) => {
        await connection.executeQuery(CompiledQuery.raw("begin immediate"));
      };
      return driver;
    },
  };
}

/**
 * Opens the store that `KMS_DATABASE_URL` / `KMS_DATA_DIR` name and migrates it to the latest
 * schema before returning, so no instance ever serves an old shape. Several instances may open
 * one PostgreSQL database at once (migrations are serialised by an advisory lock); a SQLite file
 * serves one instance, which may run several processes (`KMS_PROCESSES`). The URL is never logged: it may carry a password.
 */
export async function openStore(opts: OpenStoreOptions): Promise<KeyStore> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(opts.schema)}: use [a-z_][a-z0-9_]*`);
  }
  const dialect: StoreDialect = isPostgresUrl(opts.databaseUrl) ? "postgres" : "sqlite";
  const timeoutMs = opts.timeoutMs ?? (dialect === "postgres" ? 15_000 : 5_000);
  const sqlite = dialect === "sqlite" ? sqliteDatabase(opts.dataDir, timeoutMs, opts.inMemory) : null;
  const db = new Kysely<Database>({
    dialect: withDependencyTimeouts(
      dialect === "postgres"
        ? postgresDialect(opts.databaseUrl!, opts.schema, opts.logger, {
            statementMs: timeoutMs,
            lockMs: timeoutMs,
            connectMs: timeoutMs,
          })
        : immediateTransactions(new SqliteDialect({ database: sqlite! })),
    ),
    ...(opts.tracer ? { log: querySpans(opts.tracer, dialect) } : {}),
  });
  // On PostgreSQL, migrations run on a pool of their own with no statement or lock timeout: the
  // advisory lock that serialises them is server-wide, and an instance must wait its turn however
  // long other instances (or other schemas' services) take, rather than fail to start.
  const migrationDb =
    dialect === "postgres"
      ? new Kysely<unknown>({
          dialect: postgresDialect(opts.databaseUrl!, opts.schema, opts.logger, {
            statementMs: 0,
            lockMs: 0,
            connectMs: timeoutMs,
          }),
        })
      : (db as Kysely<unknown>);
  try {
    const applied = await migrateToLatest(migrationDb, dialect, opts.schema);
    opts.logger?.info(
      {
        dialect,
        applied,
        ...(dialect === "sqlite"
          ? { file: opts.inMemory ? ":memory:" : sqliteFile(opts.dataDir) }
          : { schema: opts.schema }),
      },
      "store opened",
    );
  } catch (err) {
    await db.destroy();
    throw err;
  } finally {
    if (migrationDb !== db) await migrationDb.destroy();
  }
  // On a SQLite file, audit records are written by a thread of their own (no fsync on the event
  // loop); an in-memory database has no file another connection could open, and no fsync.
  const auditWriter = sqlite && !opts.inMemory ? new SqliteAuditWriter(sqliteFile(opts.dataDir), timeoutMs) : undefined;
  const ttlMs = opts.readCacheTtlMs ?? CACHE_TTL_MS;
  if (ttlMs <= 0) return new KyselyKeyStore(db, dialect, auditWriter);
  const cache = new ReadCache(ttlMs, CACHE_MAX_ENTRIES);
  return new CachingKeyStore(
    db,
    dialect,
    cache,
    sqlite
      ? sqliteChangeCheck(sqlite, cache)
      : postgresChangeFeed(opts.databaseUrl!, opts.schema ?? "", cache, opts.logger),
    auditWriter,
  );
}

/** Other instances' changes clear this instance's cache as soon as their `NOTIFY` arrives. */
function postgresChangeFeed(
  url: string,
  schema: string,
  cache: ReadCache,
  logger: StoreLogger | undefined,
): ChangeFeed {
  const listener = new PgChangeListener({
    connectionString: url,
    schema,
    onChange: () => cache.clear(),
    onError: (err) => logger?.warn?.({ err: err.message }, "PostgreSQL change listener failed; reconnecting"),
  });
  listener.start();
  return { announce: (trx) => announceChange(trx as Kysely<unknown>, schema), close: () => listener.close() };
}
