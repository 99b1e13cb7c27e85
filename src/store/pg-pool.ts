import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import pg from "pg";

/** SQLSTATE 08001 sqlclient_unable_to_establish_sqlconnection (PostgreSQL appendix A). */
const UNABLE_TO_CONNECT = "08001";
/** SQLSTATE 08006 connection_failure. */
const CONNECTION_FAILURE = "08006";

/**
 * A connection that failed in a way `pg` reports without a code ("Connection terminated
 * unexpectedly", "timeout expired", "… not queryable"). It gets the SQLSTATE of its class, so that
 * `dependency-timeouts.ts` classifies it by code like every other database error.
 */
export class ConnectionLostError extends Error {
  override readonly name = "ConnectionLostError";
  constructor(
    readonly code: string,
    cause: unknown,
  ) {
    super(code === UNABLE_TO_CONNECT ? "could not connect to PostgreSQL" : "the PostgreSQL connection failed", {
      cause,
    });
  }
}

function hasCode(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "string" && err.code !== "";
}

export interface PgPoolOptions {
  connectionString: string;
  /** How long opening a connection, or waiting for a free one, may take (0: no limit). */
  connectTimeoutMs: number;
  /**
   * Statements every new connection runs before it is first handed out (`search_path`, timeouts).
   * A connection whose setup fails is discarded, never handed out half set up nor kept checked out.
   */
  sessionSetup: readonly string[];
  /** Told about every connection failure, whether the connection was idle or in use. */
  onConnectionError: (err: Error) => void;
}

/**
 * The `pg` pool behind Kysely's PostgreSQL dialect, made safe against a database that restarts,
 * fails over or goes away. `pg` emits a lost connection as an `error` event on its client; the pool
 * listens only while a client is idle, and an `error` event nobody listens to ends the process
 * (Node's EventEmitter contract). So every client gets its own listener for its whole life, as soon
 * as the pool creates it, and a client that failed is remembered: a query that then fails without
 * a code is reported as SQLSTATE 08006, a connection that cannot be opened as 08001. The pool
 * drops a failed client when it is released (`pg-pool` checks that it is still queryable) and
 * opens fresh ones on demand, so service resumes by itself once the database is back.
 */
export function createPgPool(opts: PgPoolOptions): PostgresPool {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    keepAlive: true,
  });
  const failed = new WeakSet<pg.PoolClient>();
  const ready = new WeakSet<pg.PoolClient>();
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  // The pool re-emits an idle client's error here; the client's own listener below has reported it.
  pool.on("error", () => {});
  pool.on("connect", (client) => {
    client.on("error", (err) => {
      failed.add(client);
      opts.onConnectionError(err);
    });
    client.on("end", () => failed.add(client));
  });

  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (wrapper === undefined) {
      // Kysely keys its per-connection state by this object: one wrapper per client, for its whole life.
      wrapper = {
        query: ((sqlOrCursor: string | PostgresCursor<unknown>, parameters?: readonly unknown[]) => {
          if (typeof sqlOrCursor !== "string") return client.query(sqlOrCursor as never);
          return client.query(sqlOrCursor, parameters as unknown[]).catch((err: unknown) => {
            throw !hasCode(err) && failed.has(client) ? new ConnectionLostError(CONNECTION_FAILURE, err) : err;
          }) as Promise<PostgresQueryResult<unknown>>;
        }) as PostgresPoolClient["query"],
        release: () => client.release(),
      };
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };

  const lost = (err: unknown, code: string) => (hasCode(err) ? err : new ConnectionLostError(code, err));

  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw lost(err, UNABLE_TO_CONNECT);
      }
      if (!ready.has(client)) {
        try {
          for (const statement of opts.sessionSetup) await client.query(statement);
        } catch (err) {
          client.release(err instanceof Error ? err : true);
          throw lost(err, CONNECTION_FAILURE);
        }
        ready.add(client);
      }
      return wrap(client);
    },
    end: () => pool.end(),
  };
}
