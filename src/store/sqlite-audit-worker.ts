import { parentPort, workerData } from "node:worker_threads";
import SqliteDatabase from "better-sqlite3";
import { auditInsertSql } from "./audit-insert.js";

/** What `SqliteAuditWriter` starts this thread with. */
export interface AuditThreadData {
  file: string;
  busyMs: number;
}

/** One group of audit records to store: `rows` records, their parameters flat. */
export interface AuditWriteJob {
  id: number;
  rows: number;
  params: unknown[];
}

/** The job's outcome; a failure carries the driver's error code (never the message's data). */
export type AuditWriteResult = { id: number; error?: { code: string | undefined; message: string } };

/**
 * The SQLite audit writer's thread: a connection of its own to the store's file, which runs each
 * group's multi-row INSERT — one statement, so one transaction and one fsync
 * (`synchronous = FULL`) — off the server's event loop. Prepared statements are kept per row
 * count. WAL mode is a property of the file, set by the main connection that created it.
 */
const { file, busyMs } = workerData as AuditThreadData;
const database = new SqliteDatabase(file);
database.pragma("synchronous = FULL");
database.pragma(`busy_timeout = ${busyMs}`);
const statements = new Map<number, SqliteDatabase.Statement>();

parentPort!.on("message", (job: AuditWriteJob) => {
  let result: AuditWriteResult;
  try {
    let statement = statements.get(job.rows);
    if (statement === undefined) {
      statement = database.prepare(auditInsertSql("sqlite", job.rows));
      statements.set(job.rows, statement);
    }
    statement.run(job.params);
    result = { id: job.id };
  } catch (err) {
    const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : undefined;
    result = { id: job.id, error: { code, message: err instanceof Error ? err.message : String(err) } };
  }
  parentPort!.postMessage(result);
});
