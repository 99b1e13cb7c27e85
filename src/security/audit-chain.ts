import { hash } from "node:crypto";
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

/**
 * The bytes of one record, written into one growing buffer and hashed in one call: the hash runs
 * on every audited call, and a Buffer plus an OpenSSL call per field cost more than the hashing
 * itself (bench/REPORT.md). The encoding is the one {@link auditHash} documents; nothing secret
 * is in it, so the buffer's unused tail is never cleared.
 */
class RecordBytes {
  #buf = Buffer.allocUnsafe(512);
  #at = 0;

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + n));
    this.#buf.copy(next, 0, 0, this.#at);
    this.#buf = next;
  }

  bytes(b: Buffer): this {
    this.#room(b.length);
    this.#at += b.copy(this.#buf, this.#at);
    return this;
  }

  byte(n: number): this {
    this.#room(1);
    this.#buf[this.#at++] = n;
    return this;
  }

  int64(n: number): this {
    this.#room(8);
    this.#at = this.#buf.writeBigInt64BE(BigInt(n), this.#at);
    return this;
  }

  /** A 32-bit byte length, then the UTF-8 bytes (at most 3 per UTF-16 unit, so `room` is enough). */
  str(s: string): this {
    this.#room(4 + 3 * s.length);
    const length = this.#buf.write(s, this.#at + 4, "utf8");
    this.#buf.writeUInt32BE(length, this.#at);
    this.#at += 4 + length;
    return this;
  }

  nullableStr(s: string | null): this {
    return s === null ? this.byte(0) : this.byte(1).str(s);
  }

  /**
   * A batch call's item count, written only when present so that every record written before it
   * existed keeps its hash: a tag byte no length prefix starts with (0xff) and a 64-bit count.
   * The prefix that follows (`prevHash`, 64 hex characters) starts with 0x00, so the two encodings
   * cannot be confused.
   */
  itemCount(count: number | null | undefined): this {
    if (count === null || count === undefined) return this;
    if (!Number.isSafeInteger(count)) throw new RangeError("unhashable audit record");
    return this.byte(0xff).int64(count);
  }

  /**
   * The writer's id, written only for a chain of its own (not the shared chain `""`), so that every
   * record written before migration 007 keeps its hash: a tag byte (0xfe) that neither a length
   * prefix, nor the item-count tag (0xff), starts with.
   */
  writer(writer: string | undefined): this {
    return writer === undefined || writer === "" ? this : this.byte(0xfe).str(writer);
  }

  sha256Hex(): string {
    return hash("sha256", this.#buf.subarray(0, this.#at), "hex");
  }
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
  return new RecordBytes()
    .bytes(DOMAIN)
    .int64(position)
    .int64(at)
    .str(entry.principal)
    .str(entry.operation)
    .nullableStr(entry.keyId)
    .str(entry.requestId)
    .str(entry.outcome)
    .nullableStr(entry.errorCode)
    .writer(entry.writer)
    .itemCount(entry.itemCount)
    .str(prevHash)
    .sha256Hex();
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
