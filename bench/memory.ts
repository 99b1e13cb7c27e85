/**
 * Memory of one server process (`npm run bench:memory`, bench/README.md § memory): its resident
 * set (VmRSS, every thread) read from /proc at start, while and after `--keys` keys are created,
 * after one GenerateDataKey on every key (which fills the read and material caches), and every
 * `--sample` seconds across a `--soak`-second GenerateDataKey soak on random keys. The server is
 * started as the e2e tests start it (`npm start`, `KMS_PROCESSES=1`, no key-pair pool, a fresh
 * SQLite data dir unless `--database-url`). If the server exits during the run, the run stops and
 * reports the exit code and the server's last output instead of figures.
 *
 * Memory is traded against CPU (a smaller heap is collected more often), so the soak also reports
 * what it cost: the server's CPU per call (utime + stime of every thread, from /proc) and the
 * main thread's garbage-collection pause time per call by kind (`nodejs_gc_duration_seconds` from
 * `/metrics`). Settings are compared by running this twice with a `KMS_*` variable set.
 *
 *   npm run bench:memory -- [--keys 100000] [--soak 600] [--sample 30] [--concurrency 16]
 *                           [--database-url <url>] [--json out.json]
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { ADMIN_AUTH, ROOT, startServer } from "../test/helpers/server-process.js";
import { grpcJs } from "./lib/clients.js";
import { positiveInteger } from "./lib/flags.js";
import { processCpuMs } from "./lib/load.js";

const { values: flags } = parseArgs({
  options: {
    keys: { type: "string", default: "100000" },
    soak: { type: "string", default: "600" },
    sample: { type: "string", default: "30" },
    concurrency: { type: "string", default: "16" },
    "database-url": { type: "string" },
    json: { type: "string" },
  },
  strict: true,
});

const count = (name: keyof typeof flags) => positiveInteger(flags, name);

const config = {
  keys: count("keys"),
  soakS: count("soak"),
  sampleS: count("sample"),
  concurrency: count("concurrency"),
};
const log = (msg: string) => process.stderr.write(`[bench:memory ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** VmRSS of a process in MiB (all its threads: the key-pair workers and the SQLite audit thread too). */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return kib / 1024;
}

/** Milliseconds of garbage-collection pauses so far by kind (major, minor, incremental, weakcb). */
async function gcPauseMs(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { headers: ADMIN_AUTH })).text();
  const out: Record<string, number> = {};
  for (const [, kind, seconds] of text.matchAll(/^nodejs_gc_duration_seconds_sum\{kind="(\w+)"\} (\S+)$/gm)) {
    out[kind!] = Number(seconds) * 1000;
  }
  return out;
}

/** Runs `task(i)` for i in 0..n-1 from `concurrency` loops; `onProgress` after every `every` completions. */
async function inParallel(
  n: number,
  task: (i: number) => Promise<void>,
  every: number,
  onProgress: (done: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const loop = async () => {
    while (next < n) {
      const i = next++;
      await task(i);
      done++;
      if (done % every === 0 || done === n) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, loop));
}

interface Sample {
  phase: string;
  atS: number;
  rssMiB: number;
  keys: number;
}

const env: Record<string, string> = flags["database-url"] ? { KMS_DATABASE_URL: flags["database-url"] } : {};
const server = await startServer({ env });
const client = grpcJs(server.url);
const started = Date.now();
const samples: Sample[] = [];
let exitReport: string | null = null;
void server.exited.then((code) => {
  exitReport = `server exited with ${code} at ${((Date.now() - started) / 1000).toFixed(0)} s; stderr tail:\n${server
    .stderr()
    .slice(-2000)}\nlast log lines:\n${server.stdoutLines.slice(-10).join("\n")}`;
});
const sample = (phase: string, keys: number) => {
  if (exitReport !== null) throw new Error(exitReport);
  const s = { phase, atS: Math.round((Date.now() - started) / 1000), rssMiB: rssMiB(server.pid), keys };
  samples.push(s);
  log(`${phase}: RSS ${s.rssMiB.toFixed(1)} MiB, ${keys} keys`);
};

const keyIds: string[] = new Array(config.keys);
let result: Record<string, unknown>;
try {
  await new Promise((r) => setTimeout(r, 5000));
  sample("start (idle 5 s)", 0);
  const step = Math.max(1, Math.floor(config.keys / 4));
  await inParallel(
    config.keys,
    async (i) => {
      const { key } = await client.keys<{ key: { keyId: string } }>("CreateKey", { description: `bench ${i}` });
      keyIds[i] = key.keyId;
    },
    step,
    (done) => sample("created", done),
  );
  await inParallel(
    config.keys,
    async (i) => {
      await client.dataKeys("GenerateDataKey", { keyId: keyIds[i], keySpec: "DATA_KEY_SPEC_AES_256" });
    },
    config.keys,
    () => sample("one GenerateDataKey per key", config.keys),
  );
  const soakEnd = Date.now() + config.soakS * 1000;
  let calls = 0;
  const cpuBefore = processCpuMs(server.pid);
  const gcBefore = await gcPauseMs(server.url);
  const sampler = setInterval(() => {
    try {
      sample(`soak (${calls} calls)`, config.keys);
    } catch {}
  }, config.sampleS * 1000);
  try {
    await Promise.all(
      Array.from({ length: config.concurrency }, async () => {
        while (Date.now() < soakEnd && exitReport === null) {
          const keyId = keyIds[Math.floor(Math.random() * keyIds.length)];
          await client.dataKeys("GenerateDataKey", { keyId, keySpec: "DATA_KEY_SPEC_AES_256" });
          calls++;
        }
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  sample(`soak end (${calls} calls)`, config.keys);
  const cpuAfter = processCpuMs(server.pid);
  const gcAfter = await gcPauseMs(server.url);
  const perCall = (ms: number) => Number((ms / calls).toFixed(4));
  const gcPauseMsPerCall = Object.fromEntries(
    Object.keys(gcAfter).map((kind) => [kind, perCall(gcAfter[kind]! - (gcBefore[kind] ?? 0))]),
  );
  const soak = samples.filter((s) => s.phase.startsWith("soak"));
  const soakRss = soak.map((s) => s.rssMiB);
  result = {
    startMiB: samples[0]!.rssMiB,
    afterKeysMiB: samples.find((s) => s.phase === "created" && s.keys === config.keys)?.rssMiB,
    afterTouchMiB: samples.find((s) => s.phase.startsWith("one GenerateDataKey"))?.rssMiB,
    soakFirstMiB: soakRss[0],
    soakMinMiB: Math.min(...soakRss),
    soakMaxMiB: Math.max(...soakRss),
    soakLastMiB: soakRss.at(-1),
    soakCalls: calls,
    soakCpuMsPerCall: cpuBefore === undefined || cpuAfter === undefined ? undefined : perCall(cpuAfter - cpuBefore),
    soakGcPauseMsPerCall: gcPauseMsPerCall,
  };
  log(`result: ${JSON.stringify(result)}`);
} catch (err) {
  log(exitReport ?? `run failed: ${(err as Error).message}`);
  process.exitCode = 1;
  result = { failed: exitReport ?? (err as Error).message };
} finally {
  client.close();
  await server.stop();
}

if (flags.json) {
  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  const machine = { cpus: os.cpus().length, node: process.version, loadavg: os.loadavg() };
  writeFileSync(flags.json, `${JSON.stringify({ commit, machine, config, samples, result }, null, 2)}\n`);
}
