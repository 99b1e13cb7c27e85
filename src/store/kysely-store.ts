import type { AuditEntry, AuditRecord } from "../domain/security-records.js";
import type { KeyStore, KeyStoreTx } from "./key-store.js";
import { KyselyReader } from "./kysely-reader.js";
import { KyselyTx } from "./kysely-tx.js";
import type { AuditHasher } from "./security-store.js";

/**
 * The one {@link KeyStore} implementation, over Kysely, for SQLite and PostgreSQL alike (one query
 * layer, not one copy per database). Build it with `openStore`, which also runs the migrations.
 *
 * On PostgreSQL several instances may share the database: {@link KeyStoreTx.lockKey} takes a row
 * lock and the due-key scans use `SKIP LOCKED`. SQLite is single-instance: Kysely's SQLite driver
 * serialises every query of the process on one connection, so while a transaction runs, reads made
 * through the store (not through its `tx`) wait for it — inside `transaction`, use `tx` only.
 */
export class KyselyKeyStore extends KyselyReader implements KeyStore {
  transaction<T>(fn: (tx: KeyStoreTx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new KyselyTx(trx, this.dialect)));
  }

  /** One short transaction around `tx.appendAudit`; never call it inside `transaction` on SQLite. */
  appendAudit(entry: AuditEntry, computeHash: AuditHasher): Promise<AuditRecord> {
    return this.transaction((tx) => tx.appendAudit(entry, computeHash));
  }

  /** Closes the pool (PostgreSQL) or the database file (SQLite). */
  close(): Promise<void> {
    return this.db.destroy();
  }
}
