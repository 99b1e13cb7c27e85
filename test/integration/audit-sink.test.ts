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

describe("audit sink with group commit", () => {
  let fx: CoreFixture;
  afterEach(async () => fx.close());

  it("writes concurrent records in fewer transactions, in arrival order, as one intact chain", async () => {
    fx = await createCoreFixture();
    const store = fx.deps.store;
    let transactions = 0;
    const counting: Pick<KeyStore, "transaction"> = {
      transaction: (fn) => {
        transactions++;
        return store.transaction(fn);
      },
    };
    const sink = createAuditSink(counting);
    const entries = Array.from({ length: 60 }, (_, i) => entry(i));
    await Promise.all(entries.map((e) => sink(e)));

    const records = await store.listAudit(0, 1000);
    expect(records.map((r) => r.requestId)).toEqual(entries.map((e) => e.requestId));
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThan(entries.length);
    const verdict = await verifyAuditChain(records);
    expect(verdict).toMatchObject({ ok: true, count: 60 });
  });

  it("fails the calls of a group whose transaction fails, and carries on with the next group", async () => {
    fx = await createCoreFixture();
    const store = fx.deps.store;
    let failNext = true;
    const flaky: Pick<KeyStore, "transaction"> = {
      transaction: (fn) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error("disk full"));
        }
        return store.transaction(fn);
      },
    };
    const sink = createAuditSink(flaky);
    const first = await Promise.allSettled([sink(entry(1)), sink(entry(2))]);
    // The first record's group fails alone; the second, queued meanwhile, is the next group.
    expect(first.map((r) => r.status)).toEqual(["rejected", "fulfilled"]);
    await sink(entry(3));
    const records = await store.listAudit(0, 100);
    expect(records.map((r) => r.operation)).toEqual(["Op2", "Op3"]);
    expect((await verifyAuditChain(records)).ok).toBe(true);
  });
});
