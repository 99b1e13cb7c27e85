import { CompiledQuery, type Kysely } from "kysely";
import type { AuditEntry, AuditRecord, ChainedAuditRecord } from "../domain/security-records.js";
import { AUDIT_ROWS_PER_INSERT, auditInsertParams, auditInsertSql } from "./audit-insert.js";
import type { KeyStore, KeyStoreTx } from "./key-store.js";
import { KyselyReader } from "./kysely-reader.js";
import { KyselyTx } from "./kysely-tx.js";
import type { Database, StoreDialect } from "./schema.js";
import type { AuditHasher } from "./security-store.js";
import type { AuditRecordWriter } from "./sqlite-audit-writer.js";

/**
 * The one {@link KeyStore} implementation, over Kysely, for SQLite and PostgreSQL alike (one query
 * layer, not one copy per database). Build it with `openStore`, which also runs the migrations.
 *
 * On PostgreSQL several instances may share the database: {@link KeyStoreTx.lockKey} takes a row
 * lock and the due-key scans use `SKIP LOCKED`. SQLite is single-instance: Kysely's SQLite driver
 * serialises every query of the process on one connection, so while a transaction runs, reads made
 * through the store (not through its `tx`) wait for it — inside `transaction`, use `tx` only.
 *
 * Audit records of the server's calls ({@link appendAuditRecords}) go to `auditWriter` when one is
 * given (on a SQLite file, a thread of their own), else through the store's own connection as one
 * precompiled multi-row INSERT.
 */
export class KyselyKeyStore extends KyselyReader implements KeyStore {
  readonly #auditWriter: AuditRecordWriter;

  constructor(db: Kysely<Database>, dialect: StoreDialect, auditWriter?: AuditRecordWriter) {
    super(db, dialect);
    this.#auditWriter = auditWriter ?? {
      append: async (records) => {
        for (let i = 0; i < records.length; i += AUDIT_ROWS_PER_INSERT) {
          const slice = records.slice(i, i + AUDIT_ROWS_PER_INSERT);
          await db.executeQuery(CompiledQuery.raw(auditInsertSql(dialect, slice.length), auditInsertParams(slice)));
        }
      },
      close: async () => {},
    };
  }

  transaction<T>(fn: (tx: KeyStoreTx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new KyselyTx(trx, this.dialect)));
  }

  /** One short transaction around `tx.appendAudit`; never call it inside `transaction` on SQLite. */
  appendAudit(entry: AuditEntry, computeHash: AuditHasher): Promise<AuditRecord> {
    return this.transaction((tx) => tx.appendAudit(entry, computeHash));
  }

  appendAuditRecords(records: readonly ChainedAuditRecord[]): Promise<void> {
    return this.#auditWriter.append(records);
  }

  /** Stops the audit writer, then closes the pool (PostgreSQL) or the database file (SQLite). */
  async close(): Promise<void> {
    await this.#auditWriter.close();
    await this.db.destroy();
  }
}
