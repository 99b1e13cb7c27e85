import { createHash } from "node:crypto";
import type { AuditEntryWithSeq, AuditRecord } from "../domain/security-records.js";

export type { AuditEntry, AuditEntryWithSeq, AuditRecord } from "../domain/security-records.js";

/**
 * The tamper-evident audit trail: each record carries SHA-256 over its own fields and the previous
 * record's hash, so changing, removing or reordering any record breaks the chain from there on.
 *
 * **Seq is hashed.** The store assigns `seq` itself — the last record's seq + 1, read under the
 * same lock that serialises appends — before hashing, rather than letting the database number the
 * row after the hash is fixed. So the hash covers every stored column: renumbering a record is
 * detected like any other edit, and a gap in the numbers names the record after a deletion.
 *
 * **Limits.** A chain alone cannot show that its newest records were removed (the remaining prefix
 * is a valid chain), nor stop someone with write access from rewriting the whole chain from a
 * point on. Both are caught by comparing with a head hash noted outside the database (from a
 * previous `kms audit verify`, or shipped to a log host): see `expectHead`.
 */

/** The `prevHash` of the first record: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/** Versioned domain separation, so a future encoding cannot collide with this one. */
const DOMAIN = Buffer.from("kms-audit-chain-v1\0", "utf8");

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function int64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

function str(s: string): Buffer[] {
  const bytes = Buffer.from(s, "utf8");
  return [u32(bytes.length), bytes];
}

function nullableStr(s: string | null): Buffer[] {
  return s === null ? [Buffer.from([0])] : [Buffer.from([1]), ...str(s)];
}

/**
 * A batch call's item count, hashed only when present so that every record written before it
 * existed keeps its hash: a tag byte no length prefix starts with (0xff) and a 64-bit count.
 * The prefix that follows (`prevHash`, 64 hex characters) starts with 0x00, so the two encodings
 * cannot be confused.
 */
function itemCountPart(count: number | null | undefined): Buffer[] {
  if (count === null || count === undefined) return [];
  if (!Number.isSafeInteger(count)) throw new RangeError("unhashable audit record");
  return [Buffer.from([0xff]), int64(count)];
}

/**
 * The hash of a record: hex SHA-256 over a domain tag, then every field in a fixed order, each
 * length-prefixed (strings: 32-bit byte length + UTF-8; nullable strings: a presence byte first;
 * numbers: 64-bit big-endian), then `prevHash`. Length prefixes make the encoding injective:
 * no two different records give the same bytes, whatever characters their strings hold.
 * Throws on a non-integer seq or an invalid date (a record that cannot have been written).
 */
export function auditHash(prevHash: string, entry: AuditEntryWithSeq): string {
  const at = entry.at.getTime();
  if (!Number.isSafeInteger(entry.seq) || !Number.isSafeInteger(at)) throw new RangeError("unhashable audit record");
  const parts = [
    DOMAIN,
    int64(entry.seq),
    int64(at),
    ...str(entry.principal),
    ...str(entry.operation),
    ...nullableStr(entry.keyId),
    ...str(entry.requestId),
    ...str(entry.outcome),
    ...nullableStr(entry.errorCode),
    ...itemCountPart(entry.itemCount),
    ...str(prevHash),
  ];
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
}

/**
 * Why a record fails: `order` — its seq is not greater than its predecessor's; `link` — its
 * `prevHash` is not its predecessor's hash, or seq skips a number (a record before it is
 * missing); `hash` — its hash does not match its content; `head` — the chain ended before
 * reaching the expected head (its newest records are gone).
 */
export type AuditProblem = "hash" | "link" | "order" | "head";

export type AuditVerification =
  | { ok: true; count: number; head: { seq: number; hash: string } | null }
  | {
      ok: false;
      /** The stored seq of the first bad record (for `head`, the seq after the last one read). */
      seq: number;
      problem: AuditProblem;
    };

export interface VerifyOptions {
  /**
   * A head hash noted earlier outside the database. The chain must contain a record with this
   * hash; otherwise records from there on were deleted (or the chain was rewritten).
   */
  expectHead?: string;
}

/**
 * Walks a chain in seq order (as `listAudit` yields it) and names the first bad record: the
 * first must be seq 1 linked to {@link GENESIS_HASH}; each next one must be seq + 1, link to its
 * predecessor's hash and hash to its stored hash. So a changed field fails at that record
 * (`hash`, or `link` for `prevHash`, `order`/`link` for `seq`), a deleted record fails at its
 * successor (`link`), and swapped records fail at the earlier position. Reads the chain once,
 * in constant memory, so it scales to any length when fed page by page.
 */
export async function verifyAuditChain(
  records: Iterable<AuditRecord> | AsyncIterable<AuditRecord>,
  opts: VerifyOptions = {},
): Promise<AuditVerification> {
  let count = 0;
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  let sawHead = opts.expectHead === undefined;
  for await (const record of records) {
    if (!Number.isSafeInteger(record.seq) || record.seq <= prevSeq) {
      return { ok: false, seq: record.seq, problem: "order" };
    }
    if (record.seq !== prevSeq + 1 || record.prevHash !== prevHash) {
      return { ok: false, seq: record.seq, problem: "link" };
    }
    let expected: string;
    try {
      expected = auditHash(record.prevHash, record);
    } catch {
      return { ok: false, seq: record.seq, problem: "hash" };
    }
    if (record.hash !== expected) return { ok: false, seq: record.seq, problem: "hash" };
    if (record.hash === opts.expectHead) sawHead = true;
    count++;
    prevSeq = record.seq;
    prevHash = record.hash;
  }
  if (!sawHead) return { ok: false, seq: prevSeq + 1, problem: "head" };
  return { ok: true, count, head: count === 0 ? null : { seq: prevSeq, hash: prevHash } };
}
