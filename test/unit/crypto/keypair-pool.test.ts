import { describe, expect, it } from "vitest";
import type { KeyPairSpec, KeySpec } from "../../../src/domain/specs.js";
import { type GeneratedKeyPair, generateKeyPairSync, type KeyPairGenerator } from "../../../src/crypto/key-pairs.js";
import { KeyPairPool, type KeyPairPoolOptions, pairBytes } from "../../../src/crypto/pool/keypair-pool.js";
import { createWorkerLanes } from "../../../src/crypto/pool/worker-lanes.js";

/** One generation the fake generator was asked for; the test decides when (and whether) it ends. */
interface Job {
  spec: KeySpec;
  signal: AbortSignal | undefined;
  done: boolean;
  finish(): GeneratedKeyPair;
  fail(err: Error): void;
}

/** Numbers the fake pairs, across every fake generator of a test file. */
let serial = 0;

/** A generator whose jobs end only when the test says so; each pair carries a serial number. */
function fakeGenerator() {
  const jobs: Job[] = [];
  let closed = false;
  const generator: KeyPairGenerator = {
    generate(spec, signal) {
      return new Promise<GeneratedKeyPair>((resolve, reject) => {
        const job: Job = {
          spec,
          signal,
          done: false,
          finish() {
            const n = ++serial;
            const pair = {
              publicKeyDer: Buffer.from(`pub-${spec}-${n}`),
              privateKeyDer: Buffer.from(`priv-${spec}-${n}`),
            };
            job.done = true;
            resolve(pair);
            return pair;
          },
          fail(err) {
            job.done = true;
            reject(err);
          },
        };
        signal?.addEventListener("abort", () => job.fail(Object.assign(new Error("aborted"), { name: "AbortError" })));
        jobs.push(job);
      });
    },
    async close() {
      closed = true;
    },
  };
  const pending = () => jobs.filter((j) => !j.done);
  return { generator, jobs, pending, isClosed: () => closed };
}

/** Both lanes' generators seen as one, for tests that only care that jobs end. */
function both(a: ReturnType<typeof fakeGenerator>, b: ReturnType<typeof fakeGenerator>) {
  return {
    pending: () => [...a.pending(), ...b.pending()],
    isClosed: () => a.isClosed() && b.isClosed(),
  };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

/** Ends every pending job (and the refills they trigger) until none is left or `rounds` pass. */
async function drain(fake: { pending(): Job[] }, rounds = 100): Promise<GeneratedKeyPair[]> {
  const made: GeneratedKeyPair[] = [];
  for (let i = 0; i < rounds && fake.pending().length > 0; i++) {
    for (const job of fake.pending()) made.push(job.finish());
    await flush();
  }
  return made;
}

function setup(opts: Partial<KeyPairPoolOptions> & { threads?: number } = {}) {
  const { lanes, demand, refill } = fakeLanes(opts.threads ?? 2);
  const fake = both(demand, refill);
  let clock = 1_000_000;
  const filled: number[] = [];
  const errors: unknown[] = [];
  const pool = new KeyPairPool({
    lanes,
    targets: { EC_P256: 3 },
    maxAgeMs: 60_000,
    now: () => clock,
    onFilled: (ms) => filled.push(ms),
    onError: (err) => errors.push(err),
    ...opts,
  });
  const tick = (ms: number) => {
    clock += ms;
  };
  const stat = (spec: KeyPairSpec) => pool.stats().find((s) => s.spec === spec)!;
  return { fake, pool, tick, filled, errors, stat };
}

/** Lanes over two fake generators: callers' threads and refill threads. */
function fakeLanes(threads: number) {
  const demand = fakeGenerator();
  const refill = fakeGenerator();
  const lanes = createWorkerLanes({ demand: demand.generator, refill: refill.generator, threads });
  return { lanes, demand, refill };
}

describe("worker lanes", () => {
  it("refills use at most threads − 1 threads and start only while a thread is idle", async () => {
    const { lanes, demand, refill } = fakeLanes(3);
    expect(lanes.tryRefill("EC_P256")).toBeDefined();
    expect(lanes.tryRefill("EC_P256")).toBeDefined();
    expect(lanes.tryRefill("EC_P256")).toBeUndefined();
    const first = lanes.demand("RSA_2048");
    // Callers' jobs run on their own threads, never behind a refill.
    expect(demand.pending().map((j) => j.spec)).toEqual(["RSA_2048"]);
    refill.jobs[0]!.finish();
    await flush();
    // One refill and one caller: 2 of 3 busy, a refill may start again; not after a second caller.
    const second = lanes.demand("RSA_2048");
    expect(lanes.tryRefill("EC_P256")).toBeUndefined();
    await drain(demand);
    await expect(first).resolves.toBeDefined();
    await expect(second).resolves.toBeDefined();
    expect(lanes.tryRefill("EC_P256")).toBeDefined();
  });

  it("with one thread, a refill runs only while no caller's job does, and a caller never waits for it", async () => {
    const { lanes, demand, refill } = fakeLanes(1);
    expect(lanes.tryRefill("RSA_4096")).toBeDefined();
    expect(lanes.tryRefill("RSA_4096")).toBeUndefined();
    const job = lanes.demand("RSA_4096");
    expect(demand.pending()).toHaveLength(1);
    expect(refill.pending()).toHaveLength(1);
    demand.pending()[0]!.finish();
    await expect(job).resolves.toBeDefined();
    const again = lanes.demand("RSA_4096");
    await drain(refill);
    expect(lanes.tryRefill("RSA_4096")).toBeUndefined();
    await drain(demand);
    await again;
    expect(lanes.tryRefill("RSA_4096")).toBeDefined();
  });

  it("close aborts running refills and closes both lanes", async () => {
    const { lanes, demand, refill } = fakeLanes(2);
    const job = lanes.tryRefill("RSA_2048")!.catch((e: Error) => e.name);
    await lanes.close();
    expect(await job).toBe("AbortError");
    expect(demand.isClosed() && refill.isClosed()).toBe(true);
  });
});

describe("key-pair pool", () => {
  it("fills to its target in the background and reports the fill time once", async () => {
    const { fake, pool, tick, filled, stat } = setup({ targets: { EC_P256: 3, RSA_2048: 1 } });
    expect(fake.pending()).toHaveLength(0);
    pool.start();
    // Two threads: one refill at a time.
    expect(fake.pending()).toHaveLength(1);
    tick(250);
    await drain(fake);
    expect(stat("EC_P256")).toMatchObject({ depth: 3, target: 3, refills: 3, hits: 0, misses: 0 });
    expect(stat("RSA_2048")).toMatchObject({ depth: 1, target: 1, refills: 1 });
    expect(stat("RSA_4096")).toMatchObject({ depth: 0, target: 0 });
    expect(filled).toEqual([250]);
  });

  it("starts filling once, and not at all after close", async () => {
    const first = setup();
    first.pool.start();
    first.pool.start();
    expect(first.fake.pending()).toHaveLength(1);
    const closed = setup();
    await closed.pool.close();
    closed.pool.start();
    expect(closed.fake.pending()).toHaveLength(0);
  });

  it("hands every pooled pair out once, oldest first, and refills as soon as one is taken", async () => {
    const { fake, pool, stat } = setup();
    pool.start();
    const made = await drain(fake);
    const taken = [await pool.take("EC_P256"), await pool.take("EC_P256"), await pool.take("EC_P256")];
    expect(taken.map((p) => p.publicKeyDer.toString())).toEqual(made.map((p) => p.publicKeyDer.toString()));
    expect(fake.pending().map((j) => j.spec)).toEqual(["EC_P256"]);
    expect(stat("EC_P256")).toMatchObject({ depth: 0, hits: 3, misses: 0 });
    // Empty pool: the next caller is served on demand (a miss), not from a pair already handed out.
    const fourth = pool.take("EC_P256");
    expect(fake.pending()).toHaveLength(2);
    await drain(fake);
    const all = [...taken, await fourth].map((p) => p.privateKeyDer.toString());
    expect(new Set(all).size).toBe(4);
    expect(stat("EC_P256")).toMatchObject({ hits: 3, misses: 1 });
  });

  it("discards and zeroes pairs older than the maximum age, then refills", async () => {
    const { fake, pool, tick, stat } = setup({ maxAgeMs: 5_000 });
    pool.start();
    const made = await drain(fake);
    tick(4_999);
    pool.sweep();
    expect(stat("EC_P256").depth).toBe(3);
    tick(1);
    pool.sweep();
    expect(stat("EC_P256")).toMatchObject({ discards: { expired: 3, surplus: 0, stopped: 0 } });
    for (const pair of made) {
      expect(pair.privateKeyDer.every((b) => b === 0)).toBe(true);
    }
    expect(fake.pending()).toHaveLength(1);
    const fresh = await drain(fake);
    expect(stat("EC_P256").depth).toBe(3);
    // A pair taken after expiry is a fresh one, never an expired (zeroed) one.
    const taken = await pool.take("EC_P256");
    expect(taken.privateKeyDer.toString()).toBe(fresh[0]!.privateKeyDer.toString());
  });

  it("an expired pair is never handed out even between sweeps", async () => {
    const { fake, pool, tick, stat } = setup({ maxAgeMs: 5_000 });
    pool.start();
    await drain(fake);
    tick(6_000);
    const take = pool.take("EC_P256");
    expect(stat("EC_P256")).toMatchObject({ hits: 0, misses: 1, discards: { expired: 3 } });
    await drain(fake);
    expect((await take).privateKeyDer.some((b) => b !== 0)).toBe(true);
  });

  it("close zeroes every pooled pair and every pair that arrives afterwards, and closes the threads", async () => {
    const { fake, pool, stat } = setup({ targets: { EC_P256: 2, RSA_2048: 1 }, threads: 3 });
    pool.start();
    const first = fake.pending()[0]!.finish();
    await flush();
    const inFlight = fake.pending();
    expect(inFlight.length).toBeGreaterThan(0);
    await pool.close();
    expect(fake.isClosed()).toBe(true);
    expect(first.privateKeyDer.every((b) => b === 0)).toBe(true);
    expect(inFlight.every((j) => j.signal?.aborted)).toBe(true);
    expect(stat("EC_P256").depth + stat("RSA_2048").depth).toBe(0);
    expect(stat("EC_P256").discards.stopped + stat("RSA_2048").discards.stopped).toBe(1);
  });

  it("deepens a spec to its observed burst, within the memory cap, and shrinks a quiet one", async () => {
    const { fake, pool, tick, stat } = setup({ targets: { EC_P256: 2, RSA_4096: 1 }, maxAgeMs: 3_600_000 });
    pool.start();
    await drain(fake);
    const takes = Array.from({ length: 10 }, () => pool.take("EC_P256"));
    expect(stat("EC_P256").target).toBe(10);
    await drain(fake);
    await Promise.all(takes);
    expect(stat("EC_P256").depth).toBe(10);
    // Ten minutes with no EC_P256 request: it is quiet and keeps one pair.
    tick(600_000);
    pool.sweep();
    expect(stat("EC_P256")).toMatchObject({ target: 1, depth: 1, discards: { surplus: 9 } });
    expect(stat("RSA_4096")).toMatchObject({ target: 1 });
  });

  it("stops adaptive growth at the memory cap", async () => {
    const { fake, pool, stat } = setup({ targets: { RSA_4096: 1 }, memoryCapBytes: 5 * pairBytes("RSA_4096") });
    pool.start();
    await drain(fake);
    const takes = Array.from({ length: 20 }, () => pool.take("RSA_4096"));
    expect(stat("RSA_4096").target).toBe(5);
    await drain(fake);
    await Promise.all(takes);
    expect(stat("RSA_4096").depth).toBe(5);
  });

  it("the memory cap's size estimate is within 10 % of real pairs", () => {
    for (const spec of ["RSA_2048", "EC_P256", "EC_P256K"] as const) {
      const pair = generateKeyPairSync(spec);
      const real = pair.publicKeyDer.length + pair.privateKeyDer.length;
      expect(Math.abs(pairBytes(spec) - real) / real).toBeLessThan(0.1);
    }
  });

  it("a spec configured at 0 is never pooled, whatever its demand", async () => {
    const { fake, pool, stat } = setup({ targets: { EC_P256: 1 } });
    pool.start();
    await drain(fake);
    const takes = Array.from({ length: 5 }, () => pool.take("RSA_2048"));
    expect(stat("RSA_2048")).toMatchObject({ target: 0, misses: 5 });
    await drain(fake);
    await Promise.all(takes);
    expect(stat("RSA_2048").depth).toBe(0);
  });

  it("a failed refill is reported and refilling pauses instead of spinning", async () => {
    const { fake, pool, errors, tick, stat } = setup();
    pool.start();
    fake.pending()[0]!.fail(new Error("worker crashed"));
    await flush();
    expect(errors).toHaveLength(1);
    expect(fake.pending()).toHaveLength(0);
    tick(1_000);
    pool.sweep();
    await drain(fake);
    expect(stat("EC_P256").depth).toBe(3);
  });
});
