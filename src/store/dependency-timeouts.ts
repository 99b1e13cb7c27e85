import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from "kysely";
import { KmsError } from "../domain/errors.js";

/**
 * Driver error codes that mean "the database did not answer in time or at all" — never chosen
 * from message text, which drivers may reword or translate. SQLite: the file stayed locked past `busy_timeout`. PostgreSQL
 * (SQLSTATE, appendix A): 57014 query_canceled (our `statement_timeout`), 55P03
 * lock_not_available (our `lock_timeout`), class 08 connection exceptions, 57P01..57P03 server
 * shutting down or not yet accepting, 53300 too_many_connections. Node: the socket failed.
 */
const UNAVAILABLE = new Set([
  "SQLITE_BUSY",
  "SQLITE_BUSY_TIMEOUT",
  "SQLITE_BUSY_SNAPSHOT",
  "SQLITE_LOCKED",
  "57014",
  "55P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);

/**
 * A driver error as callers see it: `KmsError("DependencyTimeout")` when the database did not
 * answer in time or at all, else the error unchanged (so its code can still be classified).
 */
export function asDependencyError(err: unknown): unknown {
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
  return UNAVAILABLE.has(code) ? new KmsError("DependencyTimeout", "The database did not answer in time.") : err;
}

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asDependencyError(err);
  }
}

/**
 * Wraps a Kysely dialect so that a database that is locked, too slow or unreachable surfaces as
 * `KmsError("DependencyTimeout")` — HTTP 503 `DependencyTimeoutException` on the AWS endpoint and
 * `unavailable` on gRPC, which clients retry — instead of an `Internal` error. Every driver call
 * and query is mapped; the driver always gets back its own connection objects.
 */
export function withDependencyTimeouts(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => wrapDriver(dialect.createDriver()),
  };
}

function wrapDriver(inner: Driver): Driver {
  const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const original = (c: DatabaseConnection) => originals.get(c) ?? c;
  const driver: Driver = {
    init: () => mapped(() => inner.init()),
    async acquireConnection() {
      const conn = await mapped(() => inner.acquireConnection());
      const wrapper: DatabaseConnection = {
        executeQuery: <R>(q: CompiledQuery) => mapped(() => conn.executeQuery<R>(q)),
        streamQuery: <R>(q: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> =>
          conn.streamQuery<R>(q, chunkSize),
      };
      originals.set(wrapper, conn);
      return wrapper;
    },
    beginTransaction: (c: DatabaseConnection, s: TransactionSettings) =>
      mapped(() => inner.beginTransaction(original(c), s)),
    commitTransaction: (c) => mapped(() => inner.commitTransaction(original(c))),
    rollbackTransaction: (c) => mapped(() => inner.rollbackTransaction(original(c))),
    releaseConnection: (c) => inner.releaseConnection(original(c)),
    destroy: () => inner.destroy(),
  };
  if (inner.savepoint) driver.savepoint = (c, n, q) => mapped(() => inner.savepoint!(original(c), n, q));
  if (inner.rollbackToSavepoint) {
    driver.rollbackToSavepoint = (c, n, q) => mapped(() => inner.rollbackToSavepoint!(original(c), n, q));
  }
  if (inner.releaseSavepoint)
    driver.releaseSavepoint = (c, n, q) => mapped(() => inner.releaseSavepoint!(original(c), n, q));
  return driver;
}
