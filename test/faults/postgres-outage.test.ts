import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedFetch } from "../helpers/auth.js";
import { errorInfoReason, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { type PrivatePostgres, startPrivatePostgres } from "../helpers/private-postgres.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * PostgreSQL restarted, then stopped for 20 s, under 32 concurrent gRPC callers spread over two
 * instances (the outage a rolling database upgrade or a failover causes). The database is a
 * private cluster this file starts itself, never the shared one other files use.
 *
 * What must hold: no instance exits; every answer is either a success or `unavailable` with
 * reason `DependencyTimeoutException` (never `internal`, never a dead transport), and every answer
 * while the database is down is the latter; each instance serves again on its own within a few
 * seconds of the database coming back; every key and ciphertext acknowledged at any time is
 * still there and decrypts afterwards.
 */

const CALLERS = 32;
/** How long the database stays down in the stop scenario. */
const OUTAGE_MS = 20_000;
/** A client retrying a refused call waits this long first, as a client with backoff would. */
const RETRY_PAUSE_MS = 25;
/** How soon after the database accepts connections again each instance must serve. */
const RECOVERY_LIMIT_MS = 2_000;

interface Instance {
  server: ServerProcess;
  c: GrpcClients;
  exitedAt?: number;
}

interface Answer {
  started: number;
  ended: number;
  instance: number;
  /** `OK` or the gRPC status name, with the ErrorInfo reason after a slash. */
  outcome: string;
}

interface Sealed {
  keyId: string;
  plaintext: Buffer;
  ciphertextBlob: Buffer;
  iv: Buffer;
  algorithm: string;
}

let pgc: PrivatePostgres;
const instances: Instance[] = [];

beforeAll(async () => {
  pgc = await startPrivatePostgres();
  const env = { KMS_DATABASE_URL: pgc.url, KMS_ROOT_KEY: randomBytes(32).toString("base64") };
  for (const server of await Promise.all([startServer({ env }), startServer({ env })])) {
    const instance: Instance = { server, c: grpcClients(server.url) };
    void server.exited.then(() => {
      instance.exitedAt = Date.now();
    });
    instances.push(instance);
  }
});

afterAll(async () => {
  for (const i of instances) i.c.close();
  await Promise.all(instances.map((i) => i.server.stop()));
  await pgc?.destroy();
});

function outcomeOf(err: unknown): string {
  const e = err as grpc.ServiceError;
  return `${grpc.status[e.code] ?? String(e.code)}/${errorInfoReason(err) ?? "-"}`;
}

const DEPENDENCY = "UNAVAILABLE/DependencyTimeoutException";

/**
 * The load: each caller loops over Encrypt (a new plaintext each time), with a CreateKey every
 * tenth call, on its instance, until `running()` turns false. Every answer is recorded; every
 * acknowledged key and ciphertext is kept for the final check.
 */
function load(keyId: string, running: () => boolean) {
  const answers: Answer[] = [];
  const sealed: Sealed[] = [];
  const keys: string[] = [];
  const caller = async (n: number) => {
    const instance = n % instances.length;
    const { c } = instances[instance]!;
    for (let i = 0; running(); i++) {
      const started = Date.now();
      const record = (outcome: string) => answers.push({ started, ended: Date.now(), instance, outcome });
      try {
        if (i % 10 === 9) {
          const { key } = await c.keys.CreateKey({ description: `load ${n}/${i}` }, undefined, {
            deadline: Date.now() + 15_000,
          });
          keys.push(key.keyId);
        } else {
          const plaintext = Buffer.from(`caller ${n} call ${i} ${randomBytes(4).toString("hex")}`);
          const res = await c.crypto.Encrypt({ keyId, plaintext }, undefined, { deadline: Date.now() + 15_000 });
          sealed.push({
            keyId: res.keyId,
            plaintext,
            ciphertextBlob: res.ciphertextBlob,
            iv: res.iv,
            algorithm: res.algorithm,
          });
        }
        record("OK");
      } catch (err) {
        record(outcomeOf(err));
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    }
  };
  const done = Promise.all(Array.from({ length: CALLERS }, (_, n) => caller(n)));
  return { answers, sealed, keys, done };
}

/** Resolves with when each instance first answered a call that started at or after `since`. */
async function recoveredAt(answers: Answer[], since: number, limitMs: number): Promise<number[]> {
  const deadline = since + limitMs + 10_000;
  for (;;) {
    const firsts = instances.map(
      (_, n) => answers.find((a) => a.instance === n && a.started >= since && a.outcome === "OK")?.ended,
    );
    if (firsts.every((t) => t !== undefined) || Date.now() > deadline) return firsts.map((t) => t ?? Infinity);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a PostgreSQL restart and a 20 s stop under load", () => {
  it("keeps both instances up, answers DependencyTimeout while the database is away, recovers by itself and loses nothing", async () => {
    const { key } = await instances[0]!.c.keys.CreateKey({ description: "outage" });
    let running = true;
    const run = load(key.keyId, () => running);
    try {
      // Both instances serving before the database goes away (waited for, not slept: on a loaded
      // machine the first answers can take seconds).
      const serving = () => instances.map((_, n) => run.answers.some((a) => a.instance === n && a.outcome === "OK"));
      for (const deadline = Date.now() + 30_000; !serving().every(Boolean) && Date.now() < deadline; ) await sleep(50);
      expect(serving()).toEqual([true, true]);

      // Scenario 1: a restart (fast shutdown, then start at once).
      await pgc.restart();
      const backAfterRestart = Date.now();
      const afterRestart = await recoveredAt(run.answers, backAfterRestart, RECOVERY_LIMIT_MS);
      await sleep(500);

      // Scenario 2: stopped for 20 s, then started.
      await pgc.stop("fast");
      const down = Date.now();
      // The AWS endpoint in the middle of the outage: 503 DependencyTimeoutException, which SDKs retry.
      const awsProbe = sleep(2_000).then(async () => {
        const res = await signedFetch(instances[1]!.server.url, {
          target: "TrentService.Encrypt",
          body: JSON.stringify({ KeyId: key.keyId, Plaintext: Buffer.from("during").toString("base64") }),
        });
        return { status: res.status, type: ((await res.json()) as { __type?: string }).__type };
      });
      await sleep(OUTAGE_MS);
      expect(await awsProbe).toEqual({ status: 503, type: "DependencyTimeoutException" });
      const up = Date.now();
      await pgc.start();
      const backAfterStop = Date.now();
      const afterStop = await recoveredAt(run.answers, backAfterStop, RECOVERY_LIMIT_MS);
      await sleep(1_000);
      running = false;
      await run.done;

      const tails = instances.map((i) => i.server.stderr().slice(-400)).join("\n");
      expect(
        instances.map((i) => i.exitedAt),
        `an instance exited:\n${tails}`,
      ).toEqual([undefined, undefined]);
      expect(afterRestart.map((t) => t - backAfterRestart < RECOVERY_LIMIT_MS)).toEqual([true, true]);
      expect(afterStop.map((t) => t - backAfterStop < RECOVERY_LIMIT_MS)).toEqual([true, true]);

      const outcomes = new Set(run.answers.map((a) => a.outcome));
      expect([...outcomes].sort()).toEqual(["OK", DEPENDENCY]);
      const duringOutage = run.answers.filter((a) => a.started >= down && a.ended <= up);
      expect(duringOutage.length).toBeGreaterThan(CALLERS);
      expect(new Set(duringOutage.map((a) => a.outcome))).toEqual(new Set([DEPENDENCY]));
      for (const n of [0, 1]) expect(duringOutage.some((a) => a.instance === n)).toBe(true);
    } finally {
      running = false;
      await run.done;
    }

    for (const [n, i] of instances.entries())
      expect(i.server.stderr(), `instance ${n}`).not.toMatch(/Unhandled|uncaught/i);

    // Everything acknowledged is still there, through either instance.
    expect(run.sealed.length).toBeGreaterThan(0);
    expect(run.keys.length).toBeGreaterThan(0);
    const pending = [...run.sealed];
    const check = async (n: number) => {
      const { c } = instances[n % instances.length]!;
      for (let s = pending.pop(); s !== undefined; s = pending.pop()) {
        const { plaintext } = await c.crypto.Decrypt({
          ciphertextBlob: s.ciphertextBlob,
          keyId: s.keyId,
          iv: s.iv,
          algorithm: s.algorithm,
        });
        expect(plaintext.equals(s.plaintext)).toBe(true);
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, n) => check(n)));
    const described = await Promise.all(run.keys.map((k, n) => instances[n % 2]!.c.keys.DescribeKey({ keyId: k })));
    expect(described.map((d) => d.key.keyState)).toEqual(run.keys.map(() => "KEY_STATE_ENABLED"));
  }, 120_000);
});
