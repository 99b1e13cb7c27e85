import type { ChainedAuditRecord } from "../domain/security-records.js";
import type { StoreDialect } from "./schema.js";

/** The columns an audit INSERT writes, in parameter order; `seq` is the database's to number. */
const COLUMNS = [
  "at",
  "principal",
  "operation",
  "key_id",
  "request_id",
  "outcome",
  "error_code",
  "item_count",
  "prev_hash",
  "hash",
  "writer",
  "writer_seq",
] as const;

/**
 * Rows per audit INSERT: 12 parameters a row stays far below SQLite's 32,766 bound parameters
 * (https://www.sqlite.org/limits.html) and PostgreSQL's 65,535 of one statement. A writer's group
 * commit never holds more (`createAuditSink`'s batch), so a group is one statement — atomic on
 * its own, with no BEGIN and COMMIT around it.
 */
export const AUDIT_ROWS_PER_INSERT = 256;

const texts = { sqlite: new Map<number, string>(), postgres: new Map<number, string>() };

/**
 * The SQL text of a multi-row INSERT of `rows` audit records, built once per row count and
 * dialect: the audit append runs on every call, and building its query per call (Kysely's query
 * builder and compiler) cost more than executing it.
 */
export function auditInsertSql(dialect: StoreDialect, rows: number): string {
  if (!Number.isInteger(rows) || rows < 1 || rows > AUDIT_ROWS_PER_INSERT) {
    throw new RangeError(`an audit INSERT holds 1 to ${AUDIT_ROWS_PER_INSERT} rows`);
  }
  const cache = texts[dialect];
  let text = cache.get(rows);
  if (text === undefined) {
    let n = 0;
    const tuple = () => `(${COLUMNS.map(() => (dialect === "postgres" ? `$${++n}` : "?")).join(", ")})`;
    const values = Array.from({ length: rows }, tuple).join(", ");
    text = `insert into kms_audit (${COLUMNS.join(", ")}) values ${values}`;
    cache.set(rows, text);
  }
  return text;
}

/** The parameters of {@link auditInsertSql} for `records`, flat, in its order. */
export function auditInsertParams(records: readonly ChainedAuditRecord[]): unknown[] {
  const params: unknown[] = [];
  for (const r of records) {
    params.push(
      r.at.getTime(),
      r.principal,
      r.operation,
      r.keyId,
      r.requestId,
      r.outcome,
      r.errorCode,
      r.itemCount ?? null,
      r.prevHash,
      r.hash,
      r.writer,
      r.writerSeq,
    );
  }
  return params;
}
