/**
 * Benchmarks of the key-pair pool (`KMS_KEYPAIR_POOL`, see bench/README.md § key-pair pool).
 * Each scenario starts its own server (the e2e helper: `npm start`, a fresh SQLite data dir) and
 * prints its figures and the ratio it is judged by, all measured in this one run:
 *
 * - burst: 8 RSA_4096 GenerateDataKeyPair calls arriving together on a full pool of 8, against
 *   8 GenerateDataKey calls arriving together on the same server (p99 ratio);
 * - sustained: RSA_4096 pairs served per second over `--sustained` seconds, against the raw
 *   `crypto.generateKeyPairSync` rate on the same number of worker threads (measured half before
 *   and half after, so drifting machine load hits both alike);
 * - isolation: GenerateDataKey p99 while the pool refills, against its idle p99 (idle measured
 *   before and after);
 * - client-isolation (opt-in): GenerateDataKey p99 while callers keep every key-pair worker busy
 *   with on-demand RSA_4096 GenerateDataKeyPair calls (pool off, `--workers` calls in flight, the
 *   semaphore's limit), against its idle p99 (before and after).
 *
 *   npm run bench:pool -- [--workers 2] [--sustained 120] [--burst-rounds 5] [--isolation 12]
 *                         [--concurrency 8] [--only burst,sustained,isolation,client-isolation]
 *                         [--json out.json]
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { ROOT, type ServerProcess, startServer } from "../test/helpers/server-process.js";
import { classifyGrpcJs, grpcJs } from "./lib/clients.js";
import { positiveInteger } from "./lib/flags.js";
import { type LoadResult, runLoad } from "./lib/load.js";
import { rawKeyPairRate } from "./lib/raw-keypairs.js";
import { poolFigure, waitForFullPool } from "./lib/pool-metrics.js";

const { values: flags } = parseArgs({
  options: {
    workers: { type: "string", default: "2" },
    sustained: { type: "string", default: "120" },
    "sustained-warmup": { type: "string", default: "10" },
    "burst-rounds": { type: "string", default: "5" },
    isolation: { type: "string", default: "12" },
    concurrency: { type: "string", default: "8" },
    only: { type: "string", default: "burst,sustained,isolation" },
    json: { type: "string" },
  },
  strict: true,
});

const count = (name: keyof typeof flags) => positiveInteger(flags, name);

const config = {
  workers: count("workers"),
  sustainedS: count("sustained"),
  sustainedWarmupS: count("sustained-warmup"),
  burstRounds: count("burst-rounds"),
  isolationS: count("isolation"),
  concurrency: count("concurrency"),
  only: new Set(flags.only!.split(",")),
};

const log = (msg: string) => process.stderr.write(`[bench:pool] ${msg}\n`);
const RSA_4096 = "RSA_4096";
const BURST = 8;

/** Starts a server for one scenario; stdout is drained unparsed after `kms listening` (as bench/run.ts does). */
async function serverWith(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServer({
    env: { KMS_WORKERS: String(config.workers), KMS_LOG_LEVEL: "info", ...env },
    timeoutMs: 60_000,
  });
  server.child.stdout?.removeAllListeners("data");
  server.child.stdout?.resume();
  return server;
}

async function withServer<T>(env: Record<string, string>, run: (s: ServerProcess, keyId: string) => Promise<T>) {
  const server = await serverWith(env);
  const grpc = grpcJs(server.url);
  try {
    const created = await grpc.keys<{ key: { keyId: string } }>("CreateKey", { description: "bench-pool" });
    return await run(server, created.key.keyId);
  } finally {
    grpc.close();
    await server.stop();
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Runs `n` calls at the same moment; resolves with each one's latency in ms. */
async function together(n: number, call: () => Promise<unknown>): Promise<number[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const t0 = performance.now();
      await call();
      return performance.now() - t0;
    }),
  );
}

const pairRequest = (keyId: string) => ({
  keyId,
  keyPairSpec: `KEY_PAIR_SPEC_${RSA_4096}`,
  keyFormat: "KEY_FORMAT_DER",
});
const gdkRequest = (keyId: string) => ({ keyId, keySpec: "DATA_KEY_SPEC_AES_256" });

async function burst() {
  return withServer(
    { KMS_KEYPAIR_POOL: `${RSA_4096}=${BURST}`, KMS_KEYPAIR_CONCURRENCY: String(BURST) },
    async (server, keyId) => {
      const grpc = grpcJs(server.url);
      const gdk: number[] = [];
      const pair: number[] = [];
      try {
        await together(20, () => grpc.dataKeys("GenerateDataKey", gdkRequest(keyId)));
        for (let round = 1; round <= config.burstRounds; round++) {
          await waitForFullPool(server, RSA_4096, 180_000);
          gdk.push(...(await together(BURST, () => grpc.dataKeys("GenerateDataKey", gdkRequest(keyId)))));
          pair.push(...(await together(BURST, () => grpc.dataKeys("GenerateDataKeyPair", pairRequest(keyId)))));
          log(`burst round ${round}: pair max ${Math.max(...pair.slice(-BURST)).toFixed(1)} ms`);
        }
        const misses = await poolFigure(server, "kms_keypair_pool_misses_total", RSA_4096);
        const stat = (v: number[]) => ({ p50: percentile(v, 50), p99: percentile(v, 99), max: Math.max(...v) });
        const result = { rounds: config.burstRounds, gdkMs: stat(gdk), pairMs: stat(pair), pairMisses: misses };
        return { ...result, ratio: result.pairMs.p99 / result.gdkMs.p99 };
      } finally {
        grpc.close();
      }
    },
  );
}

async function sustained() {
  const threads = config.workers;
  const concurrency = 2 * threads;
  return withServer(
    { KMS_KEYPAIR_POOL: `${RSA_4096}=${BURST}`, KMS_KEYPAIR_CONCURRENCY: String(concurrency) },
    async (server, keyId) => {
      await waitForFullPool(server, RSA_4096, 180_000);
      const half = (config.sustainedS * 1000) / 2;
      log(`raw generateKeyPairSync RSA_4096 on ${threads} threads, ${half / 1000}s`);
      const rawBefore = await rawKeyPairRate(threads, half);
      const grpc = grpcJs(server.url);
      log(`served RSA_4096 pairs: ${config.sustainedWarmupS}s warm-up + ${config.sustainedS}s at ${concurrency}`);
      const served = await runLoad({
        call: async () => {
          await grpc.dataKeys("GenerateDataKeyPair", pairRequest(keyId));
        },
        classify: classifyGrpcJs,
        concurrency,
        warmupMs: config.sustainedWarmupS * 1000,
        durationMs: config.sustainedS * 1000,
        serverPid: server.pid,
      });
      grpc.close();
      const hits = await poolFigure(server, "kms_keypair_pool_hits_total", RSA_4096);
      const misses = await poolFigure(server, "kms_keypair_pool_misses_total", RSA_4096);
      await waitForFullPool(server, RSA_4096, 300_000);
      log(`raw generateKeyPairSync RSA_4096 on ${threads} threads, ${half / 1000}s`);
      const rawAfter = await rawKeyPairRate(threads, half);
      const raw = (rawBefore + rawAfter) / 2;
      return {
        threads,
        concurrency,
        seconds: served.seconds,
        servedPerSecond: served.okPerSecond,
        errors: served.errors,
        rawPerSecond: { before: rawBefore, after: rawAfter, mean: raw },
        hits,
        misses,
        ratio: served.okPerSecond / raw,
      };
    },
  );
}

/** One `--isolation`-second window of GenerateDataKey at `--concurrency` calls in flight (2 s warm-up). */
function gdkWindow(grpc: ReturnType<typeof grpcJs>, server: ServerProcess, keyId: string): Promise<LoadResult> {
  return runLoad({
    call: async () => {
      await grpc.dataKeys("GenerateDataKey", gdkRequest(keyId));
    },
    classify: classifyGrpcJs,
    concurrency: config.concurrency,
    warmupMs: 2_000,
    durationMs: config.isolationS * 1000,
    serverPid: server.pid,
  });
}

const summary = (r: LoadResult) => ({ okPerSecond: r.okPerSecond, ...r.latencyMs, errors: r.errors });

/** An isolation scenario's figures: the window under load, both idle ones, and loaded p99 ÷ mean idle p99. */
function isolationResult(
  idleBefore: LoadResult,
  idleAfter: LoadResult,
  name: string,
  underLoad: LoadResult,
  extra: Record<string, number>,
) {
  const idleP99 = (idleBefore.latencyMs.p99 + idleAfter.latencyMs.p99) / 2;
  return {
    concurrency: config.concurrency,
    idleBefore: summary(idleBefore),
    [name]: { ...summary(underLoad), ...extra },
    idleAfter: summary(idleAfter),
    ratio: underLoad.latencyMs.p99 / idleP99,
  };
}

async function isolation() {
  const depth = 16;
  return withServer(
    { KMS_KEYPAIR_POOL: `${RSA_4096}=${depth}`, KMS_KEYPAIR_CONCURRENCY: String(BURST) },
    async (server, keyId) => {
      const grpc = grpcJs(server.url);
      const gdkLoad = () => gdkWindow(grpc, server, keyId);
      try {
        await waitForFullPool(server, RSA_4096, 300_000);
        log(`GenerateDataKey idle (pool full), ${config.isolationS}s`);
        const idleBefore = await gdkLoad();
        const refillsBefore = await poolFigure(server, "kms_keypair_pool_refills_total", RSA_4096);
        for (let i = 0; i < depth; i += BURST) {
          await together(BURST, () => grpc.dataKeys("GenerateDataKeyPair", pairRequest(keyId)));
        }
        log(`GenerateDataKey while the pool refills ${depth} RSA_4096 pairs, ${config.isolationS}s`);
        const refilling = await gdkLoad();
        const refilled = (await poolFigure(server, "kms_keypair_pool_refills_total", RSA_4096)) - refillsBefore;
        const depthAtEnd = await poolFigure(server, "kms_keypair_pool_depth", RSA_4096);
        await waitForFullPool(server, RSA_4096, 300_000);
        log(`GenerateDataKey idle again, ${config.isolationS}s`);
        const idleAfter = await gdkLoad();
        return isolationResult(idleBefore, idleAfter, "refilling", refilling, {
          pairsRefilledDuringWindow: refilled,
          depthAtEnd,
          depth,
        });
      } finally {
        grpc.close();
      }
    },
  );
}

/**
 * GenerateDataKey p99 while callers saturate the key-pair workers with on-demand RSA_4096 pairs
 * (the pool is off, so every pair is generated while its caller waits), against its idle p99.
 */
async function clientIsolation() {
  return withServer(
    { KMS_KEYPAIR_POOL: "off", KMS_KEYPAIR_CONCURRENCY: String(config.workers) },
    async (server, keyId) => {
      const grpc = grpcJs(server.url);
      const gdkLoad = () => gdkWindow(grpc, server, keyId);
      try {
        log(`GenerateDataKey idle, ${config.isolationS}s`);
        const idleBefore = await gdkLoad();
        let stop = false;
        let pairs = 0;
        let refused = 0;
        const pairLoop = async () => {
          while (!stop) {
            try {
              await grpc.dataKeys("GenerateDataKeyPair", pairRequest(keyId));
              pairs++;
            } catch {
              refused++;
            }
          }
        };
        log(`GenerateDataKey while ${config.workers} callers keep the RSA_4096 workers busy, ${config.isolationS}s`);
        const loops = Array.from({ length: config.workers }, pairLoop);
        const loaded = await gdkLoad();
        stop = true;
        await Promise.all(loops);
        log(`GenerateDataKey idle again, ${config.isolationS}s`);
        const idleAfter = await gdkLoad();
        return isolationResult(idleBefore, idleAfter, "loaded", loaded, {
          pairCallers: config.workers,
          pairsServed: pairs,
          pairCallsRefused: refused,
        });
      } finally {
        grpc.close();
      }
    },
  );
}

const machine = {
  cpus: os.cpus().length,
  model: os.cpus()[0]?.model,
  node: process.version,
  loadavg: os.loadavg().map((n) => n.toFixed(2)),
};
const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
log(`commit ${commit}, ${machine.cpus} cpus, node ${machine.node}, load ${machine.loadavg.join(" ")}`);
const started = Date.now();
const results: Record<string, unknown> = { commit, machine, config: { ...config, only: [...config.only] } };
if (config.only.has("burst")) results.burst = await burst();
if (config.only.has("sustained")) results.sustained = await sustained();
if (config.only.has("isolation")) results.isolation = await isolation();
if (config.only.has("client-isolation")) results.clientIsolation = await clientIsolation();
results.wallSeconds = (Date.now() - started) / 1000;
console.log(JSON.stringify(results, null, 2));
if (flags.json) writeFileSync(flags.json, `${JSON.stringify(results, null, 2)}\n`);
