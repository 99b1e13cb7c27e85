import type { Worker } from "node:worker_threads";
import type { ChainedAuditRecord } from "../domain/security-records.js";
import { startThread } from "./thread-script.js";
import { auditInsertParams } from "./audit-insert.js";
import { asDependencyError } from "./dependency-timeouts.js";
import type { AuditThreadData, AuditWriteJob, AuditWriteResult } from "./sqlite-audit-worker.js";

/** Where a store's audit records are written; the store's own connection unless told otherwise. */
export interface AuditRecordWriter {
  /** Resolves once every record is durable; rejects (nothing stored) otherwise. */
  append(records: readonly ChainedAuditRecord[]): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Stores audit records on SQLite from a worker thread with its own connection
 * (`sqlite-audit-worker.ts`), so that the INSERT and the fsync of its commit never block the
 * event loop: better-sqlite3 is synchronous, and on a disk the audit commit was the largest
 * share of a call's main-thread time (bench/REPORT.md). Callers still wait for durability: a
 * promise resolves only when the thread's statement has committed.
 *
 * The thread starts at the first append (the `kms` CLI, which never appends, starts none). If it
 * dies, the records in flight fail (the calls fail closed) and the next append starts a new one.
 * Errors keep the driver's code, so a locked file is `DependencyTimeout` and a unique violation
 * tells the writer its chain head is stale.
 */
export class SqliteAuditWriter implements AuditRecordWriter {
  readonly #data: AuditThreadData;
  #worker: Worker | null = null;
  readonly #pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(file: string, busyMs: number) {
    this.#data = { file, busyMs };
  }

  append(records: readonly ChainedAuditRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const worker = this.#thread();
    const id = this.nextId;
    this.nextId = id + 1;
    const job: AuditWriteJob = { id, rows: records.length, params: auditInsertParams(records) };
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(job.id, { resolve, reject });
      worker.ref();
      worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker) await worker.terminate();
    this.#failAll(new Error("the audit writer closed"));
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const worker = startThread(import.meta.url, "sqlite-audit-worker", { workerData: this.#data });
    worker.on("message", (result: AuditWriteResult) => {
      const pending = this.#pending.get(result.id);
      if (!pending) return;
      this.#pending.delete(result.id);
      if (this.#pending.size === 0) worker.unref();
      if (result.error === undefined) pending.resolve();
      else
        pending.reject(asDependencyError(Object.assign(new Error(result.error.message), { code: result.error.code })));
    });
    const stopped = (err: unknown) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#failAll(err instanceof Error ? err : new Error("the audit writer thread stopped"));
    };
    worker.on("error", stopped);
    worker.on("exit", () => stopped(new Error("the audit writer thread stopped")));
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #failAll(err: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
  }
}
