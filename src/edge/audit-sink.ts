import { randomBytes } from "node:crypto";
import type { AuditChainHead, AuditEntry } from "../domain/security-records.js";
import { chainAuditEntries } from "../security/audit-chain.js";
import { isUniqueViolation } from "../store/db-errors.js";
import type { KeyStore } from "../store/key-store.js";
import type { AuditSink } from "./pipeline.js";

interface Waiting {
  entry: AuditEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A fresh writer id: 16 hex characters, one chain per process start. */
export function newAuditWriterId(): string {
  return randomBytes(8).toString("hex");
}

export interface AuditSinkOptions {
  /** The chain this sink extends; a fresh one per sink unless given (tests share one on purpose). */
  writer?: string;
  /** At most this many records per group commit (one INSERT). */
  maxBatch?: number;
}

/**
 * The audit sink: one chain per writer, its head kept in memory, with group commit. Every call
 * still waits until its own record is durable before it is answered (fail closed), but the
 * records of calls that arrive while a group is being stored are written together next — hashed
 * here, after the head this sink last stored, and sent as one multi-row INSERT (on SQLite, by the
 * store's audit thread, so no fsync blocks the event loop). No lock and no head read per group:
 * the chain is this process's alone, so other processes and instances never wait on it.
 *
 * The head is read from the store only when it is unknown: at the first group, and after a group
 * failed (its records may or may not have been committed, e.g. when the connection dropped at
 * COMMIT). If a record's place is taken — another writer with the same id, which a random id makes
 * all but impossible — the head is read again and the group placed after it, once.
 *
 * Records keep their arrival order in the chain. If a group cannot be stored, every call in that
 * group fails.
 */
export function createAuditSink(
  store: Pick<KeyStore, "appendAuditRecords" | "auditChainHead">,
  opts: AuditSinkOptions = {},
): AuditSink {
  const writer = opts.writer ?? newAuditWriterId();
  const maxBatch = opts.maxBatch ?? 256;
  let queue: Waiting[] = [];
  let flushing = false;
  /** undefined: unknown, read it before the next group. */
  let head: AuditChainHead | null | undefined;

  async function store_(entries: readonly AuditEntry[]): Promise<void> {
    head ??= await store.auditChainHead(writer);
    let records = chainAuditEntries(writer, head, entries);
    try {
      await store.appendAuditRecords(records);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      head = await store.auditChainHead(writer);
      records = chainAuditEntries(writer, head, entries);
      await store.appendAuditRecords(records);
    }
    const last = records.at(-1)!;
    head = { writerSeq: last.writerSeq, hash: last.hash };
  }

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const group = queue.slice(0, maxBatch);
      queue = queue.slice(group.length);
      try {
        await store_(group.map((w) => w.entry));
        for (const w of group) w.resolve();
      } catch (err) {
        head = undefined;
        for (const w of group) w.reject(err);
      }
    }
    flushing = false;
  }

  return (entry) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ entry, resolve, reject });
      if (!flushing) {
        // The first record waits for the end of this event-loop turn (setImmediate: after the
        // I/O callbacks, no timer) so that every call finishing in the same turn joins its group:
        // flushed at once, most groups held one or two records and each paid a thread hand-off
        // and an fsync of its own (bench/REPORT.md).
        flushing = true;
        setImmediate(flush);
      }
    });
}
