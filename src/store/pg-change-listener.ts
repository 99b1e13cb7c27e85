import { type Kysely, sql } from "kysely";
import pg from "pg";

/** The PostgreSQL channel on which every instance announces a change to rows others may cache. */
export const CHANGE_CHANNEL = "kms_cache_changes";

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * Announces a change inside the writing transaction: PostgreSQL delivers a `NOTIFY` only when (and
 * if) that transaction commits, so listeners never learn of a change that was rolled back, nor
 * before it is visible to their reads. The payload is the schema, so that services isolated in
 * other schemas of the same database ignore it.
 */
export async function announceChange(trx: Kysely<unknown>, schema: string): Promise<void> {
  await sql`select pg_notify(${CHANGE_CHANNEL}, ${schema})`.execute(trx);
}

export interface ChangeListenerOptions {
  connectionString: string;
  /** The payload this instance's changes carry (its schema, or ""). */
  schema: string;
  /** Called on every announced change, and after every (re)connection (notifications sent while
   * no connection listened are lost, so the caller must assume anything changed). */
  onChange: () => void;
  onError: (err: Error) => void;
}

/**
 * A dedicated `pg.Client` that `LISTEN`s on {@link CHANGE_CHANNEL} for the process's life. A
 * connection that fails is reported, replaced with backoff (250 ms doubling to 5 s), and every
 * reconnection counts as a change. It never throws and never ends the process: while it is down,
 * the read cache's TTL still bounds how stale a cached row can be.
 */
export class PgChangeListener {
  #client: pg.Client | null = null;
  #closed = false;
  #retryMs = FIRST_RETRY_MS;
  #timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ChangeListenerOptions) {}

  start(): void {
    void this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.opts.connectionString, keepAlive: true });
    this.#client = client;
    let failed = false;
    const fail = (err: Error) => {
      if (failed || this.#closed) return;
      failed = true;
      this.opts.onError(err);
      this.opts.onChange();
      void client.end().catch(() => {});
      this.#retry();
    };
    client.on("error", fail);
    client.on("end", () => fail(new Error("the PostgreSQL change listener's connection ended")));
    client.on("notification", (msg) => {
      if (msg.channel === CHANGE_CHANNEL && msg.payload === this.opts.schema) this.opts.onChange();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
      this.#retryMs = FIRST_RETRY_MS;
      this.opts.onChange();
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #retry(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#connect(), this.#retryMs);
    this.#timer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
    }
  }
}
