import { createHash } from "node:crypto";
import type {
  AuditChainHead,
  AuditEntry,
  AuditEntryWithSeq,
  AuditRecord,
  ChainedAuditEntry,
  ChainedAuditRecord,
} from "../domain/security-records.js";

export type { AuditEntry, AuditEntryWithSeq, AuditRecord } from "../domain/security-records.js";

/**
 * The tamper-evident audit trail: each record carries SHA-256 over its own fields and the previous
 * record's hash, so changing, removing or reordering any record breaks the chain from there on.
 *
 * **One chain per writer** (migration 007). Every writing process extends a chain of its own
 * (`writer`, a random id per process start), keeping its head in memory, so that processes and
 * instances sharing a database never serialise on one global head. Records written before 007
 * form the shared chain `""`, hashed exactly as they were. The trail interleaves the chains in
 * the order records were stored (`seq`, assigned by the database); verification follows each
 * chain through it.
 *
 * **The chain position is hashed.** The writer numbers each record in its chain (`writerSeq`,
 * its predecessor's + 1) before hashing, and the hash covers the writer id too: moving a record
 * to another place or another chain is detected like any other edit, and a gap in the numbers
 * names the record after a deletion. The trail-wide `seq` is the listing order only (for the
 * shared chain's old records it is also the chain position, as before).
 *
 * **Limits.** A chain alone cannot show that its newest records were removed (the remaining prefix
 * is a valid chain), nor stop someone with write access from rewriting the whole chain from a
 * point on. Both are caught by comparing with a head hash noted outside the database (from a
 * previous `kms audit verify`, or shipped to a log host): see `expectHead`. The same holds for a
 * writer's whole chain: removing every record one process ever wrote leaves the other chains
 * intact, and only the head noted outside (the trail's newest record, which `kms audit verify`
 * prints) reveals it when that chain held it.
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
 * The writer's id, hashed only for a chain of its own (not the shared chain `""`), so that every
 * record written before migration 007 keeps its hash: a tag byte (0xfe) that neither a length
 * prefix, nor the item-count tag (0xff), starts with.
 */
function writerPart(writer: string | undefined): Buffer[] {
  return writer === undefined || writer === "" ? [] : [Buffer.from([0xfe]), ...str(writer)];
}

/**
 * The hash of a record: hex SHA-256 over a domain tag, then every field in a fixed order, each
 * length-prefixed (strings: 32-bit byte length + UTF-8; nullable strings: a presence byte first;
 * numbers: 64-bit big-endian), then `prevHash`. The position hashed is `writerSeq` (for the shared
 * chain's old records, `seq`, which equals it). Length prefixes make the encoding injective:
 * no two different records give the same bytes, whatever characters their strings hold.
 * Throws on a non-integer seq or an invalid date (a record that cannot have been written).
 */
export function auditHash(prevHash: string, entry: AuditEntryWithSeq): string {
  const at = entry.at.getTime();
  const position = entry.writerSeq ?? entry.seq;
  if (!Number.isSafeInteger(position) || !Number.isSafeInteger(at)) throw new RangeError("unhashable audit record");
  const parts = [
    DOMAIN,
    int64(position),
    int64(at),
    ...str(entry.principal),
    ...str(entry.operation),
    ...nullableStr(entry.keyId),
    ...str(entry.requestId),
    ...str(entry.outcome),
    ...nullableStr(entry.errorCode),
    ...writerPart(entry.writer),
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
 * Places `entries` after `head` (null: the writer's chain is empty) in `writer`'s chain, in
 * their order, and hashes them: what a writer stores next.
 */
export function chainAuditEntries(
  writer: string,
  head: AuditChainHead | null,
  entries: readonly AuditEntry[],
): ChainedAuditRecord[] {
  let writerSeq = head?.writerSeq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return entries.map((entry) => {
    const chained: ChainedAuditEntry = { ...entry, writer, writerSeq: ++writerSeq };
    const record = { ...chained, prevHash, hash: auditHash(prevHash, { ...chained, seq: chained.writerSeq }) };
    prevHash = record.hash;
    return record;
  });
}

/**
 * Walks the trail in seq order (as `listAudit` yields it) and names the first bad record. `seq`
 * must rise. Within each writer's chain, the first record must be at position 1 linked to
 * {@link GENESIS_HASH}; each next one must be at its predecessor's position + 1, link to its
 * predecessor's hash and hash to its stored hash. So a changed field fails at that record
 * (`hash`, or `link` for `prevHash`, `order`/`link` for a position), a deleted record fails at
 * its chain's next record (`link`), and swapped records fail at the earlier position. Reads the
 * trail once, keeping one head per writer, so it scales to any length when fed page by page.
 * The head returned is the trail's newest record.
 */
export async function verifyAuditChain(
  records: Iterable<AuditRecord> | AsyncIterable<AuditRecord>,
  opts: VerifyOptions = {},
): Promise<AuditVerification> {
  let count = 0;
  let prevSeq = 0;
  let last: AuditRecord | null = null;
  const heads = new Map<string, { position: number; hash: string }>();
  let sawHead = opts.expectHead === undefined;
  for await (const record of records) {
    const writer = record.writer ?? "";
    const position = record.writerSeq ?? record.seq;
    const head = heads.get(writer) ?? { position: 0, hash: GENESIS_HASH };
    if (!Number.isSafeInteger(record.seq) || record.seq <= prevSeq) {
      return { ok: false, seq: record.seq, problem: "order" };
    }
    if (!Number.isSafeInteger(position) || position <= head.position) {
      return { ok: false, seq: record.seq, problem: "order" };
    }
    if (position !== head.position + 1 || record.prevHash !== head.hash) {
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
    heads.set(writer, { position, hash: record.hash });
    last = record;
  }
  if (!sawHead) return { ok: false, seq: prevSeq + 1, problem: "head" };
  return { ok: true, count, head: last === null ? null : { seq: last.seq, hash: last.hash } };
}
