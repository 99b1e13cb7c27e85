import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createAuditSink } from "../../src/edge/audit-sink.js";
import { verifyAuditChain } from "../../src/security/audit-chain.js";
import type { AuditEntry } from "../../src/domain/security-records.js";
import type { KeyStore } from "../../src/store/key-store.js";
import { type CoreFixture, createCoreFixture } from "../helpers/core-fixture.js";

const entry = (i: number): AuditEntry => ({
  at: new Date(),
  principal: "admin",
  operation: `Op${i}`,
  keyId: null,
  requestId: randomUUID(),
  outcome: "ok",
  errorCode: null,
});

type SinkStore = Pick<KeyStore, "appendAuditRecords" | "auditChainHead">;

describe("audit sink: a chain per writer, group commit", () => {
  let fx: CoreFixture;
  afterEach(async () => fx.close());

  it("writes concurrent records in fewer groups, in arrival order, as one intact chain, reading its head once", async () => {
    fx = await createCoreFixture();
    const store = fx.deps.store;
    let groups = 0;
    let headReads = 0;
    const counting: SinkStore = {
      appendAuditRecords: (records) => {
        groups++;
        return store.appendAuditRecords(records);
      },
      auditChainHead: (writer) => {
        headReads++;
        return store.auditChainHead(writer);
      },
    };
    const sink = createAuditSink(counting, { writer: "w1" });
    const entries = Array.from({ length: 60 }, (_, i) => entry(i));
    await Promise.all(entries.map((e) => sink(e)));
    await sink(entry(60));

    const records = await store.listAudit(0, 1000);
    expect(records.map((r) => r.requestId).slice(0, 60)).toEqual(entries.map((e) => e.requestId));
    expect(records.map((r) => r.writerSeq)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
    expect(groups).toBeGreaterThan(1);
    expect(groups).toBeLessThan(entries.length);
    expect(headReads).toBe(1);
    expect(await verifyAuditChain(records)).toMatchObject({ ok: true, count: 61 });
  });

  it("fails the calls of a group that cannot be stored, reads its head again and carries on", async () => {
    fx = await createCoreFixture();
    const store = fx.deps.store;
    let failNext = true;
    let headReads = 0;
    const flaky: SinkStore = {
      appendAuditRecords: (records) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error("disk full"));
        }
        return store.appendAuditRecords(records);
      },
      auditChainHead: (writer) => {
        headReads++;
        return store.auditChainHead(writer);
      },
    };
    const sink = createAuditSink(flaky);
    const status = (p: Promise<void>) =>
      p.then(
        () => "fulfilled",
        () => "rejected",
      );
    const one = status(sink(entry(1)));
    // The first group is flushed at the end of this event-loop turn; the second record arrives
    // after that, while the group is being stored.
    await new Promise((resolve) => setImmediate(resolve));
    const two = status(sink(entry(2)));
    const first = await Promise.all([one, two]);
    // The first record's group fails alone; the second, queued meanwhile, is the next group.
    expect(first).toEqual(["rejected", "fulfilled"]);
    await sink(entry(3));
    expect(headReads).toBe(2);
    const records = await store.listAudit(0, 100);
    expect(records.map((r) => r.operation)).toEqual(["Op2", "Op3"]);
    expect((await verifyAuditChain(records)).ok).toBe(true);
  });

  it("stores the records of calls made in one event-loop turn as one group (one INSERT)", async () => {
    fx = await createCoreFixture();
    const store = fx.deps.store;
    const groups: number[] = [];
    const counting: SinkStore = {
      appendAuditRecords: (records) => {
        groups.push(records.length);
        return store.appendAuditRecords(records);
      },
      auditChainHead: (writer) => store.auditChainHead(writer),
    };
    const sink = createAuditSink(counting);
    await Promise.all(Array.from({ length: 5 }, (_, i) => sink(entry(i))));
    await sink(entry(5));
    expect(groups).toEqual([5, 1]);
    expect(await verifyAuditChain(await store.listAudit(0, 100))).toMatchObject({ ok: true, count: 6 });
  });

  it("gives each sink a chain of its own, and all of them verify together", async () => {
    fx = await createCoreFixture();
    const store = fx.deps.store;
    const sinks = [createAuditSink(store), createAuditSink(store), createAuditSink(store)];
    await Promise.all(Array.from({ length: 30 }, (_, i) => sinks[i % 3]!(entry(i))));
    const records = await store.listAudit(0, 100);
    expect(new Set(records.map((r) => r.writer)).size).toBe(3);
    expect(await verifyAuditChain(records)).toMatchObject({ ok: true, count: 30 });
  });

  it("refreshes a stale head when another writer took its place (same writer id), and the chain stays intact", async () => {
    fx = await createCoreFixture();
    const store = fx.deps.store;
    const a = createAuditSink(store, { writer: "shared-id" });
    const b = createAuditSink(store, { writer: "shared-id" });
    await a(entry(1));
    await b(entry(2)); // b's head was unknown: it reads it, so no conflict yet
    await a(entry(3)); // a's head is stale (b wrote 2): its place is taken, it reads again and retries
    await b(entry(4));
    const records = await store.listAudit(0, 100);
    expect(records.map((r) => [r.operation, r.writerSeq])).toEqual([
      ["Op1", 1],
      ["Op2", 2],
      ["Op3", 3],
      ["Op4", 4],
    ]);
    expect(await verifyAuditChain(records)).toMatchObject({ ok: true, count: 4 });
  });
});
