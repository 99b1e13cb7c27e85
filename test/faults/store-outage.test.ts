import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuditSink } from "../../src/edge/audit-sink.js";
import { createMetrics } from "../../src/edge/metrics.js";
import { createPipeline } from "../../src/edge/pipeline.js";
import type { KeyStore } from "../../src/store/key-store.js";
import { openStore } from "../../src/store/open-store.js";
import { createPgPool } from "../../src/store/pg-pool.js";
import { codeOf } from "../helpers/code-of.js";
import { type PrivatePostgres, startPrivatePostgres } from "../helpers/private-postgres.js";

/**
 * The store and the audit path when PostgreSQL goes away, in-process against a private cluster
 * this file stops and starts: a connection lost while a call holds it must neither end the process
 * (an `error` event nobody listens to does) nor become `Internal`; the audit append of a call the
 * database could not record is `DependencyTimeout`, not `Internal`; and the store serves again by
 * itself once the database is back.
 */

let pgc: PrivatePostgres;
let store: KeyStore;

beforeAll(async () => {
  pgc = await startPrivatePostgres();
  store = await openStore({ databaseUrl: pgc.url, dataDir: "unused", timeoutMs: 2_000 });
});

afterAll(async () => {
  await store?.close();
  await pgc?.destroy();
});

/** Retries `fn` until it succeeds; resolves with how many attempts failed first. */
async function untilServing(fn: () => Promise<unknown>, limitMs: number): Promise<number> {
  const deadline = Date.now() + limitMs;
  for (let failures = 0; ; failures++) {
    try {
      await fn();
      return failures;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe("PostgreSQL going away under the store", () => {
  it("a connection whose session setup fails is discarded, never kept checked out", async () => {
    const pool = createPgPool({
      connectionString: pgc.url,
      connectTimeoutMs: 1_000,
      sessionSetup: ["select 1/0"],
      onConnectionError: () => {},
    });
    try {
      // More attempts than the pool has connections (10): a leaked one would make the last wait, then time out.
      const codes: string[] = [];
      for (let i = 0; i < 12; i++) codes.push(await codeOf(pool.connect()));
      expect(codes).toEqual(Array(12).fill("22012"));
    } finally {
      await pool.end();
    }
  });

  it("a connection lost in the middle of a transaction is DependencyTimeout, and the process stays up", async () => {
    await store.transaction((tx) => tx.putMetaIfAbsent("outage", "before"));
    let stopped!: () => void;
    const databaseStopped = new Promise<void>((resolve) => {
      stopped = resolve;
    });
    const inFlight = store.transaction(async (tx) => {
      expect(await tx.getMeta("outage")).toBe("before");
      await databaseStopped;
      return tx.getMeta("outage");
    });
    // Several connections at once: idle ones and the one the transaction holds all see 57P01.
    await Promise.all(Array.from({ length: 4 }, () => store.getMeta("outage")));
    await pgc.stop("fast");
    stopped();
    expect(await codeOf(inFlight)).toBe("DependencyTimeout");
  });

  it("calls while the database is down are DependencyTimeout", async () => {
    const codes = await Promise.all([
      codeOf(store.getMeta("outage")),
      codeOf(store.transaction((tx) => tx.putMetaIfAbsent("during", "x"))),
    ]);
    expect(codes).toEqual(["DependencyTimeout", "DependencyTimeout"]);
  });

  it("an audit append the database cannot take fails the call as DependencyTimeout, not Internal", async () => {
    const pipeline = createPipeline({
      logger: pino({ level: "silent" }),
      metrics: createMetrics(),
      authenticate: async () => ({ name: "admin", admin: true }),
      audit: createAuditSink(store),
    });
    let ran = false;
    const call = pipeline.run(
      {
        service: "kms.v1.CryptoService",
        method: "GenerateRandom",
        requestId: randomUUID(),
        headers: new Headers(),
        signal: new AbortController().signal,
      },
      async () => {
        ran = true;
        return "answer that must not reach the caller unaudited";
      },
    );
    expect(await codeOf(call)).toBe("DependencyTimeout");
    expect(ran).toBe(true);
  });

  it("serves again by itself once the database is back, and kept what was committed", async () => {
    await pgc.start();
    await untilServing(() => store.getMeta("outage"), 5_000);
    expect(await store.getMeta("outage")).toBe("before");
    expect(await store.transaction((tx) => tx.putMetaIfAbsent("after", "yes"))).toBe("yes");
    const audit = await store.listAudit(0, 10);
    expect(audit.map((r) => r.operation)).toEqual([]);
  });
});
