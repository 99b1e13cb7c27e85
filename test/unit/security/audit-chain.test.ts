import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuditEntry,
  type AuditRecord,
  auditHash,
  chainAuditEntries,
  GENESIS_HASH,
  verifyAuditChain,
} from "../../../src/security/audit-chain.js";

/** Builds a valid chain the way the store does: seq = previous + 1, hash over the predecessor's hash. */
function chain(entries: AuditEntry[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prevHash = GENESIS_HASH;
  entries.forEach((entry, i) => {
    const numbered = { ...entry, seq: i + 1 };
    const hash = auditHash(prevHash, numbered);
    out.push({ ...numbered, prevHash, hash });
    prevHash = hash;
  });
  return out;
}

const entryArb: fc.Arbitrary<AuditEntry> = fc.record({
  at: fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms)),
  principal: fc.string({ maxLength: 12 }),
  operation: fc.constantFrom("Encrypt", "Decrypt", "GenerateDataKey", "CreateGrant"),
  keyId: fc.option(fc.uuid(), { nil: null }),
  requestId: fc.uuid(),
  outcome: fc.constantFrom("ok" as const, "error" as const),
  errorCode: fc.option(fc.constantFrom("AccessDenied", "NotFound", ""), { nil: null }),
});

const chainArb = (minLength: number) =>
  fc.array(entryArb, { minLength, maxLength: 20 }).map((entries) => chain(entries));

type Field = keyof AuditRecord;
const FIELDS: Field[] = [
  "seq",
  "at",
  "principal",
  "operation",
  "keyId",
  "requestId",
  "outcome",
  "errorCode",
  "prevHash",
  "hash",
];

/** A value for `field` that differs from `record`'s, drawn from `seed`. */
function changed(record: AuditRecord, field: Field, seed: string, n: number): AuditRecord[Field] {
  const hex = (s: string) => Buffer.from(`${s}#`).toString("hex").padEnd(64, "0").slice(0, 64);
  switch (field) {
    case "seq":
      return n === record.seq ? n + 1 : n;
    case "at":
      return new Date(record.at.getTime() + (n === 0 ? 1 : n));
    case "outcome":
      return record.outcome === "ok" ? "error" : "ok";
    case "keyId":
    case "errorCode":
      return record[field] === null ? seed : record[field] === seed ? null : seed;
    case "prevHash":
    case "hash": {
      const v = hex(seed);
      return v === record[field] ? hex(`${seed}x`) : v;
    }
    default:
      return record[field] === seed ? `${seed}x` : seed;
  }
}

async function* asAsync<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

describe("verifyAuditChain", () => {
  it("verifies an intact chain, sync or async, and reports its head", async () => {
    await fc.assert(
      fc.asyncProperty(chainArb(0), async (records) => {
        const head = records.length === 0 ? null : { seq: records.length, hash: records.at(-1)!.hash };
        expect(await verifyAuditChain(records)).toEqual({ ok: true, count: records.length, head });
        expect(await verifyAuditChain(asAsync(records))).toEqual({ ok: true, count: records.length, head });
      }),
    );
  });

  it("names the changed record when any field of any record changes", async () => {
    await fc.assert(
      fc.asyncProperty(
        chainArb(1),
        fc.nat(),
        fc.constantFrom(...FIELDS),
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.integer({ min: -5, max: 1000 }),
        async (records, pick, field, seed, n) => {
          const k = pick % records.length;
          const tampered = records.map((r) => ({ ...r }));
          (tampered[k] as Record<Field, unknown>)[field] = changed(records[k]!, field, seed, n);
          const result = await verifyAuditChain(tampered);
          expect(result).toMatchObject({ ok: false, seq: tampered[k]!.seq });
          if (!result.ok) {
            const expected =
              field === "hash"
                ? ["hash"]
                : field === "prevHash"
                  ? ["link"]
                  : field === "seq"
                    ? ["order", "link"]
                    : ["hash"];
            expect(expected).toContain(result.problem);
          }
        },
      ),
    );
  });

  it("names the record after a deleted one (any but the last)", async () => {
    await fc.assert(
      fc.asyncProperty(chainArb(2), fc.nat(), async (records, pick) => {
        const k = pick % (records.length - 1);
        const remaining = records.filter((_, i) => i !== k);
        expect(await verifyAuditChain(remaining)).toEqual({ ok: false, seq: records[k + 1]!.seq, problem: "link" });
      }),
    );
  });

  it("names the earlier position of two swapped records", async () => {
    await fc.assert(
      fc.asyncProperty(chainArb(2), fc.nat(), fc.nat(), async (records, a, b) => {
        const i = a % records.length;
        const j = b % records.length;
        fc.pre(i !== j);
        const [lo, hi] = i < j ? [i, j] : [j, i];
        const swapped = [...records];
        [swapped[lo], swapped[hi]] = [swapped[hi]!, swapped[lo]!];
        expect(await verifyAuditChain(swapped)).toMatchObject({ ok: false, seq: records[hi]!.seq });
      }),
    );
  });

  it("cannot see a deleted last record by itself, but can against a head noted earlier", async () => {
    await fc.assert(
      fc.asyncProperty(chainArb(1), async (records) => {
        const noted = records.at(-1)!.hash;
        const truncated = records.slice(0, -1);
        expect(await verifyAuditChain(truncated)).toMatchObject({ ok: true, count: records.length - 1 });
        expect(await verifyAuditChain(truncated, { expectHead: noted })).toEqual({
          ok: false,
          seq: records.length,
          problem: "head",
        });
        expect(await verifyAuditChain(records, { expectHead: noted })).toMatchObject({ ok: true });
      }),
    );
  });

  it("accepts a noted head that later records have since extended", async () => {
    const records = chain(Array.from({ length: 5 }, (_, n) => sampleEntry(n)));
    expect(await verifyAuditChain(records, { expectHead: records[2]!.hash })).toMatchObject({ ok: true, count: 5 });
    expect(await verifyAuditChain(records, { expectHead: "f".repeat(64) })).toEqual({
      ok: false,
      seq: 6,
      problem: "head",
    });
  });

  it("refuses a chain that does not start at seq 1 from the genesis hash", async () => {
    const records = chain([sampleEntry(1), sampleEntry(2)]);
    expect(await verifyAuditChain(records.slice(1))).toEqual({ ok: false, seq: 2, problem: "link" });
  });
});

function sampleEntry(n: number): AuditEntry {
  return {
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    principal: "alice",
    operation: "Encrypt",
    keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
    requestId: `req-${n}`,
    outcome: "ok",
    errorCode: null,
  };
}

/**
 * The documented record encoding, spelled out independently of the implementation: a domain tag,
 * the chain position and time as 64-bit big-endian, each string as a 32-bit byte length + UTF-8,
 * nullable strings behind a presence byte, the writer behind 0xfe and a batch's item count
 * behind 0xff (both only when present), then the predecessor's hash.
 */
function referenceHash(prevHash: string, entry: AuditEntry & { seq: number; writer?: string; writerSeq?: number }) {
  const str = (s: string) => {
    const b = Buffer.from(s, "utf8");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const i64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(n));
    return b;
  };
  const nullable = (s: string | null) => (s === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([1]), str(s)]));
  const bytes = Buffer.concat([
    Buffer.from("kms-audit-chain-v1\0"),
    i64(entry.writerSeq ?? entry.seq),
    i64(entry.at.getTime()),
    str(entry.principal),
    str(entry.operation),
    nullable(entry.keyId),
    str(entry.requestId),
    str(entry.outcome),
    nullable(entry.errorCode),
    ...(entry.writer ? [Buffer.from([0xfe]), str(entry.writer)] : []),
    ...(entry.itemCount === null || entry.itemCount === undefined ? [] : [Buffer.from([0xff]), i64(entry.itemCount)]),
    str(prevHash),
  ]);
  return createHash("sha256").update(bytes).digest("hex");
}

describe("auditHash", () => {
  it("is pinned: changing the encoding would orphan every stored chain", () => {
    const entry = sampleEntry(1);
    expect(referenceHash(GENESIS_HASH, { ...entry, seq: 1 })).toBe(PINNED);
    expect(auditHash(GENESIS_HASH, { ...entry, seq: 1 })).toBe(PINNED);
    // A writer's own chain with a batch's item count, non-ASCII text and an error code.
    const batch = {
      ...entry,
      seq: 900,
      writer: "w-3f9a",
      writerSeq: 7,
      itemCount: 100,
      principal: "zoë-✓",
      keyId: "k1,k2",
      outcome: "error" as const,
      errorCode: "AccessDenied",
    };
    expect(referenceHash(PINNED, batch)).toBe(PINNED_BATCH);
    expect(auditHash(PINNED, batch)).toBe(PINNED_BATCH);
  });

  it("hashes every entry as the documented encoding does, whatever its strings, writer and count", () => {
    fc.assert(
      fc.property(
        entryArb,
        fc.record({
          prev: fc.constantFrom(GENESIS_HASH, PINNED),
          seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          writer: fc.option(fc.string({ unit: "binary", maxLength: 40 }), { nil: undefined }),
          itemCount: fc.option(fc.nat(), { nil: null }),
          principal: fc.string({ unit: "binary", maxLength: 200 }),
          keyId: fc.option(fc.string({ unit: "grapheme", maxLength: 400 }), { nil: null }),
        }),
        (entry, extra) => {
          const full = {
            ...entry,
            seq: extra.seq,
            principal: extra.principal,
            keyId: extra.keyId,
            itemCount: extra.itemCount,
            ...(extra.writer === undefined ? {} : { writer: extra.writer, writerSeq: extra.seq }),
          };
          expect(auditHash(extra.prev, full)).toBe(referenceHash(extra.prev, full));
        },
      ),
    );
  });

  it("keeps field boundaries and null apart from empty", () => {
    const base = { ...sampleEntry(1), seq: 1 };
    const h = (e: typeof base) => auditHash(GENESIS_HASH, e);
    expect(h({ ...base, principal: "ab", operation: "c" })).not.toBe(h({ ...base, principal: "a", operation: "bc" }));
    expect(h({ ...base, keyId: null })).not.toBe(h({ ...base, keyId: "" }));
    expect(h({ ...base, errorCode: null })).not.toBe(h({ ...base, errorCode: "" }));
    expect(h(base)).not.toBe(auditHash("f".repeat(64), base));
    expect(h(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});

const PINNED = "8c21a676051decc1996d194e2bed36abb702619339079c6c356c53377b1d7ac6";
const PINNED_BATCH = "482d772929d171a3b93ca197022a7e361d0abdd15513922cef58827c8a72b6e3";

const sample: AuditEntry = {
  at: new Date(1_700_000_000_000),
  principal: "alice",
  operation: "Encrypt",
  keyId: null,
  requestId: "r",
  outcome: "ok",
  errorCode: null,
};

describe("one chain per writer", () => {
  /** Three writers' chains interleaved in the order a store would have numbered them. */
  function interleaved(entries: AuditEntry[]): AuditRecord[] {
    const writers = ["w-a", "w-b", "w-c"];
    const heads = new Map<string, { writerSeq: number; hash: string } | null>();
    return entries.map((entry, i) => {
      const writer = writers[i % 3]!;
      const [record] = chainAuditEntries(writer, heads.get(writer) ?? null, [entry]);
      heads.set(writer, { writerSeq: record!.writerSeq, hash: record!.hash });
      return { ...record!, seq: 100 + 2 * i };
    });
  }

  it("verifies interleaved chains whatever the trail-wide seq gaps, and reports the newest record", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 20 }), async (entries) => {
        const records = interleaved(entries);
        expect(await verifyAuditChain(records)).toEqual({
          ok: true,
          count: records.length,
          head: { seq: records.at(-1)!.seq, hash: records.at(-1)!.hash },
        });
      }),
    );
  });

  it("names a changed, deleted or moved record of one writer's chain", async () => {
    const records = interleaved(Array.from({ length: 12 }, (_, i) => ({ ...sample, requestId: `r${i}` })));
    const changedOne = records.map((r, i) => (i === 4 ? { ...r, principal: "mallory" } : r));
    expect(await verifyAuditChain(changedOne)).toEqual({ ok: false, seq: records[4]!.seq, problem: "hash" });
    // Record 4 is w-b's second; its chain's next record (index 7) no longer links.
    const deleted = records.filter((_, i) => i !== 4);
    expect(await verifyAuditChain(deleted)).toEqual({ ok: false, seq: records[7]!.seq, problem: "link" });
    // The same record claimed by another writer: its hash covers the writer.
    const moved = records.map((r, i) => (i === 4 ? { ...r, writer: "w-a" } : r));
    expect(await verifyAuditChain(moved)).toMatchObject({ ok: false, seq: records[4]!.seq });
    const toShared = records.map((r, i) => (i === 0 ? { ...r, writer: "" } : r));
    expect(await verifyAuditChain(toShared)).toMatchObject({ ok: false, seq: records[0]!.seq, problem: "hash" });
  });

  it('hashes a shared-chain record (writer "") exactly as before writers existed', () => {
    const [old] = chain([sample]);
    expect(auditHash(GENESIS_HASH, { ...sample, seq: 1, writer: "", writerSeq: 1 })).toBe(old!.hash);
    expect(auditHash(GENESIS_HASH, { ...sample, seq: 1, writer: "w", writerSeq: 1 })).not.toBe(old!.hash);
  });
});
