/**
 * Load generator for the KMS server (see bench/README.md). Starts its own server with a fresh
 * data dir, creates an AES key, runs each scenario (warm-up discarded, then a measured window)
 * and prints one table plus the ratios between scenarios measured in this run.
 *
 *   npm run bench -- [--warmup 4] [--duration 8] [--concurrency 32] [--pair-concurrency 8]
 *                    [--workers 2] [--database-url postgres://…] [--data-dir /dev/shm]
 *                    [--only id,id] [--json out.json]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { DataKeySpec } from "../gen/kms/v1/types_pb.js";
import { ROOT, startServer } from "../test/helpers/server-process.js";
import {
  awsKmsClient,
  classifyAws,
  classifyConnect,
  classifyFetch,
  classifyGrpcJs,
  classifyRawH2,
  connectBinaryH2c,
  connectGrpc,
  connectJsonCall,
  grpcJs,
  rawH2,
} from "./lib/clients.js";
import { startCeilingServer } from "./lib/ceiling.js";
import {
  type Call,
  type Classify,
  type LoadResult,
  type LoadWindow,
  measureLoad,
  runLoad,
  summarizeLoad,
} from "./lib/load.js";

const USAGE = `usage: npm run bench -- [options]
  --warmup <s>            warm-up per scenario, discarded (default 4)
  --duration <s>          measured window per scenario (default 8)
  --concurrency <n>       calls in flight for the unary scenarios (default 32)
  --pair-concurrency <n>  calls in flight for GenerateDataKeyPair (default 8)
  --workers <n>           KMS_WORKERS = KMS_KEYPAIR_CONCURRENCY for the server (default 2)
  --processes <n>         KMS_PROCESSES for the server (default 1; the baseline gets the same
                          unless --baseline-processes says otherwise)
  --baseline-processes <n>
                          KMS_PROCESSES for the --baseline server: \`--baseline . --processes 2
                          --baseline-processes 1\` measures 2 processes against 1 in one run
  --baseline-first        measure each scenario on the --baseline server before ours (the order
                          moves a ratio by a few per cent on a busy machine: run both orders)
  --rounds <n>            with --baseline: measure each scenario in n windows per server of
                          duration/n seconds, alternating the servers (ours, base, base, ours, …),
                          and sum them; machine load that drifts over seconds then weighs on both
                          sides alike (default 1: one window each, as before)
  --baseline-env <K=V>    an extra KMS_* variable for the --baseline server (repeatable):
                          \`--baseline . --baseline-env KMS_GRPC_SERVER=connect-node\` compares
                          one setting with the default on the same checkout, in one run
  --pair-backoff <ms>     pause after a refusal in the *-backoff pair scenario (default 50)
  --payload <bytes>       AdvanceEncrypt/AdvanceDecrypt plaintext size (default 1024)
  --database-url <url>    KMS_DATABASE_URL (PostgreSQL); default SQLite in a fresh temp dir
  --data-dir <dir>        create the server's fresh data dir (SQLite file) under <dir> instead of
                          the OS temp dir, e.g. /dev/shm (tmpfs: fsync costs nothing); removed after
  --only <ids>            comma-separated scenario ids (see --list)
  --baseline <dir>        also run every scenario on our server against a second server started
                          from <dir> (another checkout, e.g. a \`git worktree add\` of an older
                          commit), in this same run, and print this commit ÷ that one
  --list                  print the scenario ids and exit
  --json <file>           also write the raw results as JSON`;

const { values: flags } = parseArgs({
  options: {
    warmup: { type: "string", default: "4" },
    duration: { type: "string", default: "8" },
    concurrency: { type: "string", default: "32" },
    "pair-concurrency": { type: "string", default: "8" },
    workers: { type: "string", default: "2" },
    processes: { type: "string", default: "1" },
    "baseline-processes": { type: "string" },
    "baseline-env": { type: "string", multiple: true },
    "baseline-first": { type: "boolean", default: false },
    rounds: { type: "string", default: "1" },
    payload: { type: "string", default: "1024" },
    "pair-backoff": { type: "string", default: "50" },
    "database-url": { type: "string" },
    "data-dir": { type: "string" },
    baseline: { type: "string" },
    only: { type: "string" },
    list: { type: "boolean", default: false },
    json: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

function positive(name: string, raw: string | undefined, integer = true): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)) || (name !== "warmup" && n === 0)) {
    console.error(`--${name} must be a ${integer ? "positive integer" : "positive number"}, got ${raw}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const config = {
  warmupMs: positive("warmup", flags.warmup, false) * 1000,
  durationMs: positive("duration", flags.duration, false) * 1000,
  concurrency: positive("concurrency", flags.concurrency),
  pairConcurrency: positive("pair-concurrency", flags["pair-concurrency"]),
  workers: positive("workers", flags.workers),
  processes: positive("processes", flags.processes),
  payloadBytes: positive("payload", flags.payload),
  pairBackoffMs: positive("pair-backoff", flags["pair-backoff"]),
  databaseUrl: flags["database-url"],
  dataDirParent: flags["data-dir"],
  baselineDir: flags.baseline,
  baselineProcesses:
    flags["baseline-processes"] === undefined ? undefined : positive("baseline-processes", flags["baseline-processes"]),
  baselineEnv: Object.fromEntries((flags["baseline-env"] ?? []).map(envPair)),
  baselineFirst: flags["baseline-first"],
  rounds: positive("rounds", flags.rounds),
};

function envPair(raw: string): [string, string] {
  const match = /^(KMS_[A-Z0-9_]+)=(.*)$/.exec(raw);
  if (!match) {
    console.error(`--baseline-env takes KMS_NAME=value, got ${raw}\n${USAGE}`);
    process.exit(2);
  }
  return [match[1]!, match[2]!];
}

interface Scenario {
  id: string;
  rpc: string;
  stack: string;
  concurrency: number;
  /** Runs only when named in `--only` (keeps the default run short). */
  optIn?: boolean;
  /** Starts a server of its own (not the one in the context): not repeated against `--baseline`. */
  ownServer?: boolean;
  /** Builds the call once the server and key exist; returns undefined (with a note) to skip. */
  setup: (ctx: Context) => Promise<Made | { skip: string }>;
}

interface Made {
  call: Call;
  classify: Classify;
  close?: () => void | Promise<void>;
  /** The process whose CPU is measured, when it is not the main KMS server (a second server, the ceiling). */
  serverPid?: number;
}

interface Context {
  url: string;
  keyId: string;
  grpc: ReturnType<typeof grpcJs>;
}

/** Items per call of the batch scenario: its data keys per second are its calls per second × this. */
const BATCH_ITEMS = 100;

const gdkRequestGrpcJs = (keyId: string) => ({ keyId, keySpec: "DATA_KEY_SPEC_AES_256" });

/** GenerateDataKey through the bench's grpc-js client against `url`, for the server-stack and ceiling rows. */
function gdkGrpcJsCall(client: ReturnType<typeof grpcJs>, keyId: string): Call {
  return async () => {
    const res = await client.dataKeys<{ ciphertextBlob: Buffer }>("GenerateDataKey", gdkRequestGrpcJs(keyId));
    if (!res.ciphertextBlob?.length) throw new Error("no ciphertextBlob");
  };
}

/** GenerateDataKey against another server the row started (`pid`), which `stop` ends after the row. */
function gdkAgainst(client: ReturnType<typeof grpcJs>, keyId: string, pid: number, stop: () => Promise<void>): Made {
  return {
    call: gdkGrpcJsCall(client, keyId),
    classify: classifyGrpcJs,
    serverPid: pid,
    close: async () => {
      client.close();
      await stop();
    },
  };
}

/** DescribeKey with no or a wrong bearer token: every call must end in UNAUTHENTICATED. */
async function refusedDescribe(url: string, keyId: string, token: string | null) {
  const client = grpcJs(url, token);
  return {
    call: async () => {
      await client.keys("DescribeKey", { keyId });
      throw new Error("an unauthenticated DescribeKey succeeded");
    },
    classify: classifyGrpcJs,
    close: () => client.close(),
  };
}

/**
 * GenerateDataKeyPair at `--pair-concurrency`. With `backoffMs` 0 a refused caller retries at
 * once (the worst case for the server: every refusal is a full call); otherwise it sleeps that
 * long after a `Rejected.Throttling`, as a polite client would.
 */
function pairScenario(spec: "EC_P256" | "RSA_2048", backoffMs = 0): Scenario {
  return {
    id: `pair-${spec.toLowerCase().replace("_", "-")}-grpc-js${backoffMs ? "-backoff" : ""}`,
    rpc: `GenerateDataKeyPair ${spec}`,
    stack: backoffMs
      ? `gRPC, h2c (grpc-js), ${backoffMs} ms pause after a refusal`
      : "gRPC, h2c (grpc-js), retry at once",
    concurrency: config.pairConcurrency,
    setup: async ({ grpc, keyId }) => ({
      call: async () => {
        try {
          const res = await grpc.dataKeys<{ publicKey: Buffer }>("GenerateDataKeyPair", {
            keyId,
            keyPairSpec: `KEY_PAIR_SPEC_${spec}`,
            keyFormat: "KEY_FORMAT_DER",
          });
          if (!res.publicKey?.length) throw new Error("no public key");
        } catch (err) {
          if (backoffMs && classifyGrpcJs(err).endsWith("/Rejected.Throttling")) await sleep(backoffMs);
          throw err;
        }
      },
      classify: classifyGrpcJs,
    }),
  };
}

const SCENARIOS: Scenario[] = [
  {
    id: "healthz-h2-raw",
    rpc: "GET /healthz (floor: listener + router, no RPC framework)",
    stack: "raw node:http2 client, h2c",
    concurrency: config.concurrency,
    setup: async ({ url }) => {
      const h2 = rawH2(url);
      return { call: () => h2.get("/healthz"), classify: classifyRawH2, close: () => h2.close() };
    },
  },
  {
    id: "gdk-connect-json-h1",
    rpc: "GenerateDataKey AES_256",
    stack: "Connect JSON, HTTP/1.1 (fetch)",
    concurrency: config.concurrency,
    setup: async ({ url, keyId }) => ({
      call: async () => {
        const res = await connectJsonCall<{ ciphertextBlob?: string }>(url, "kms.v1.DataKeyService/GenerateDataKey", {
          keyId,
          keySpec: "DATA_KEY_SPEC_AES_256",
        });
        if (!res.ciphertextBlob) throw new Error("no ciphertextBlob");
      },
      classify: classifyFetch,
    }),
  },
  {
    id: "gdk-connect-binary-h2c",
    rpc: "GenerateDataKey AES_256",
    stack: "Connect binary, h2c (connect-node)",
    concurrency: config.concurrency,
    setup: async ({ url, keyId }) => {
      const c = connectBinaryH2c(url);
      return {
        call: async () => {
          const res = await c.dataKeys.generateDataKey({ keyId, keySpec: DataKeySpec.AES_256 });
          if (!res.ciphertextBlob.length) throw new Error("no ciphertextBlob");
        },
        classify: classifyConnect,
      };
    },
  },
  {
    id: "gdk-connect-grpc",
    rpc: "GenerateDataKey AES_256",
    stack: "gRPC, h2c (connect-node client)",
    concurrency: config.concurrency,
    setup: async ({ url, keyId }) => {
      const c = connectGrpc(url);
      return {
        call: async () => {
          const res = await c.dataKeys.generateDataKey({ keyId, keySpec: DataKeySpec.AES_256 });
          if (!res.ciphertextBlob.length) throw new Error("no ciphertextBlob");
        },
        classify: classifyConnect,
      };
    },
  },
  {
    id: "gdk-grpc-js",
    rpc: "GenerateDataKey AES_256",
    stack: "gRPC, h2c (@grpc/grpc-js client; server: grpc-js, the default KMS_GRPC_SERVER)",
    concurrency: config.concurrency,
    setup: async ({ grpc, keyId }) => ({ call: gdkGrpcJsCall(grpc, keyId), classify: classifyGrpcJs }),
  },
  // The two rows below and gdk-grpc-js form the ceiling comparison: the same client and concurrency
  // against a second KMS server whose gRPC is connect-node's, and against a bare grpc-js server.
  {
    id: "gdk-grpc-js-connect-node",
    rpc: "GenerateDataKey AES_256",
    stack: "gRPC, h2c (@grpc/grpc-js client; a second server with KMS_GRPC_SERVER=connect-node)",
    concurrency: config.concurrency,
    ownServer: true,
    setup: async () => {
      const second = await startKms({ KMS_GRPC_SERVER: "connect-node" });
      const client = grpcJs(second.server.url);
      const { key } = await client.keys<{ key: { keyId: string } }>("CreateKey", { description: "bench" });
      return gdkAgainst(client, key.keyId, second.server.pid, second.stop);
    },
  },
  {
    id: "gdk-grpc-js-ceiling",
    rpc: "GenerateDataKey, fixed reply (ceiling)",
    stack: "gRPC, h2c (@grpc/grpc-js client; a bare grpc-js server, bench/lib/ceiling-server.ts)",
    concurrency: config.concurrency,
    ownServer: true,
    setup: async () => {
      const ceiling = await startCeilingServer();
      return gdkAgainst(grpcJs(ceiling.url), "ceiling", ceiling.pid, ceiling.stop);
    },
  },
  {
    id: "gdk-aws-sdk",
    rpc: "GenerateDataKey AES_256",
    stack: "AWS JSON 1.1, HTTP/1.1 (@aws-sdk/client-kms)",
    concurrency: config.concurrency,
    setup: async ({ url, keyId }) => {
      const aws = await awsKmsClient(url, config.concurrency);
      try {
        await aws.generateDataKey(keyId);
      } catch (err) {
        aws.destroy();
        return { skip: `TrentService.GenerateDataKey did not answer (${classifyAws(err)}): AWS endpoint not mounted` };
      }
      return { call: () => aws.generateDataKey(keyId), classify: classifyAws, close: () => aws.destroy() };
    },
  },
  {
    id: "describe-grpc-js",
    rpc: "DescribeKey (no crypto)",
    stack: "gRPC, h2c (@grpc/grpc-js client)",
    concurrency: config.concurrency,
    setup: async ({ grpc, keyId }) => ({
      call: async () => {
        const res = await grpc.keys<{ key?: { keyId: string } }>("DescribeKey", { keyId });
        if (res.key?.keyId !== keyId) throw new Error("wrong key");
      },
      classify: classifyGrpcJs,
    }),
  },
  // The two refusals below split a call's fixed cost (ratios against describe-grpc-js): with no
  // token the pipeline refuses before any store access; with a well-formed unknown token it first
  // hashes it and looks the principal up. Neither is audited (only authenticated calls are), so
  // describe-grpc-js − bad-token ≈ key read + access check + audit append + response.
  {
    id: "describe-grpc-js-no-token",
    rpc: "DescribeKey, no bearer token → Unauthenticated",
    stack: "gRPC, h2c (@grpc/grpc-js client)",
    concurrency: config.concurrency,
    optIn: true,
    setup: async ({ url, keyId }) => refusedDescribe(url, keyId, null),
  },
  {
    id: "describe-grpc-js-bad-token",
    rpc: "DescribeKey, unknown bearer token → Unauthenticated (hash + principal lookup)",
    stack: "gRPC, h2c (@grpc/grpc-js client)",
    concurrency: config.concurrency,
    optIn: true,
    setup: async ({ url, keyId }) => refusedDescribe(url, keyId, "bench-unknown-token-0123456789abcdef"),
  },
  {
    id: "describe-connect-json-h1",
    rpc: "DescribeKey (no crypto)",
    stack: "Connect JSON, HTTP/1.1 (fetch)",
    concurrency: config.concurrency,
    setup: async ({ url, keyId }) => ({
      call: async () => {
        const res = await connectJsonCall<{ key?: { keyId: string } }>(url, "kms.v1.KeyService/DescribeKey", {
          keyId,
        });
        if (res.key?.keyId !== keyId) throw new Error("wrong key");
      },
      classify: classifyFetch,
    }),
  },
  {
    id: "aencrypt-grpc-js",
    rpc: `AdvanceEncrypt ${config.payloadBytes} B`,
    stack: "gRPC, h2c (@grpc/grpc-js client)",
    concurrency: config.concurrency,
    setup: async ({ grpc, keyId }) => {
      const plaintext = Buffer.alloc(config.payloadBytes, 0x61);
      return {
        call: async () => {
          const res = await grpc.crypto<{ ciphertextBlob: Buffer }>("AdvanceEncrypt", { keyId, plaintext });
          if (!res.ciphertextBlob?.length) throw new Error("no ciphertextBlob");
        },
        classify: classifyGrpcJs,
      };
    },
  },
  {
    id: "adecrypt-grpc-js",
    rpc: `AdvanceDecrypt ${config.payloadBytes} B`,
    stack: "gRPC, h2c (@grpc/grpc-js client)",
    concurrency: config.concurrency,
    setup: async ({ grpc, keyId }) => {
      const plaintext = Buffer.alloc(config.payloadBytes, 0x61);
      const { ciphertextBlob } = await grpc.crypto<{ ciphertextBlob: Buffer }>("AdvanceEncrypt", { keyId, plaintext });
      return {
        call: async () => {
          const res = await grpc.crypto<{ plaintext: Buffer }>("AdvanceDecrypt", { ciphertextBlob });
          if (res.plaintext?.length !== config.payloadBytes) throw new Error("wrong plaintext");
        },
        classify: classifyGrpcJs,
      };
    },
  },
  {
    id: "gdk-batch100-grpc-js",
    rpc: `BatchGenerateDataKey, ${BATCH_ITEMS} × AES_256 per call`,
    stack: "gRPC, h2c (@grpc/grpc-js client)",
    concurrency: config.concurrency,
    setup: async ({ grpc, keyId }) => {
      const items = Array.from({ length: BATCH_ITEMS }, (_, i) => ({
        reference: String(i),
        request: gdkRequestGrpcJs(keyId),
      }));
      return {
        call: async () => {
          const res = await grpc.dataKeys<{ results: { response?: { ciphertextBlob: Buffer } }[] }>(
            "BatchGenerateDataKey",
            { items },
          );
          const keys = res.results?.filter((r) => r.response?.ciphertextBlob?.length).length;
          if (keys !== BATCH_ITEMS) throw new Error(`${keys} of ${BATCH_ITEMS} data keys`);
        },
        classify: classifyGrpcJs,
      };
    },
  },
  pairScenario("EC_P256"),
  pairScenario("RSA_2048"),
  pairScenario("RSA_2048", config.pairBackoffMs),
];

if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
if (flags.list) {
  for (const s of SCENARIOS) {
    console.log(`${s.id.padEnd(30)} ${s.rpc} — ${s.stack}${s.optIn ? " (only with --only)" : ""}`);
  }
  process.exit(0);
}
const only = flags.only?.split(",").map((s) => s.trim());
const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length) {
  console.error(`unknown scenario id(s): ${unknown.join(", ")} (see --list)`);
  process.exit(2);
}
const selected = only ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS.filter((s) => !s.optIn);

// ---------------------------------------------------------------------------------------------

function git(args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

const cpus = os.cpus();
const machine = {
  cpus: cpus.length,
  cpuModel: cpus[0]?.model ?? "unknown",
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
};
const commit = git(["rev-parse", "--short", "HEAD"]);
const dirty = git(["status", "--porcelain", "--untracked-files=no", "--", "src", "gen", "bin"]) !== "";

interface Row {
  id: string;
  rpc: string;
  stack: string;
  concurrency: number;
  result?: LoadResult;
  skipped?: string;
}

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

const env: Record<string, string> = {
  KMS_WORKERS: String(config.workers),
  KMS_KEYPAIR_CONCURRENCY: String(config.workers),
  KMS_PROCESSES: String(config.processes),
  // The pair scenarios measure on-demand generation behind the semaphore; bench/pool.ts measures the pool.
  KMS_KEYPAIR_POOL: "off",
  // `kms listening` is an info line, and info is the shipped default, so the per-call log line is measured too.
  KMS_LOG_LEVEL: "info",
};
if (config.databaseUrl) env.KMS_DATABASE_URL = config.databaseUrl;

/**
 * Starts a KMS server as the e2e tests do, with a fresh data dir (under `--data-dir` when given,
 * removed by `stop`). At info level the server logs one line per call: the helper would parse each
 * into `server.logs` (costing this process CPU and memory), so parsing stops and the pipe is drained.
 */
async function startKms(extraEnv: Record<string, string> = {}, root?: string) {
  // With --data-dir the SQLite file can sit on tmpfs, where the commit's fsync is free: the
  // difference to a default run is the time each call waits for the disk.
  const dataDir = config.dataDirParent ? mkdtempSync(join(config.dataDirParent, "kms-bench-")) : undefined;
  const server = await startServer({
    env: { ...env, ...extraEnv },
    ...(dataDir ? { dataDir } : {}),
    ...(root ? { root } : {}),
    // A loaded machine can take well over the tests' 30 s to start a server (tsx, migrations).
    timeoutMs: 180_000,
  });
  server.child.stdout?.removeAllListeners("data");
  server.child.stdout?.resume();
  return {
    server,
    async stop() {
      await server.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

log(
  `commit ${commit}${dirty ? " (+ uncommitted changes in src/gen/bin)" : ""}, ${machine.cpus} cpus, node ${machine.node}`,
);
const storeLabel = config.databaseUrl ? "PostgreSQL" : `SQLite in ${config.dataDirParent ?? "a fresh temp dir"}`;
log(`starting server (${storeLabel}, workers ${config.workers})`);
const main = await startKms({ KMS_GRPC_SERVER: "grpc-js" });
const baselineCommit = config.baselineDir ? git(["-C", config.baselineDir, "rev-parse", "--short", "HEAD"]) : "";
/** How the ratio lines name both sides: the process counts and the baseline's settings when they differ. */
const processesDiffer = config.baselineProcesses !== undefined && config.baselineProcesses !== config.processes;
const baselineSettings = Object.entries({
  ...(processesDiffer ? { KMS_PROCESSES: String(config.baselineProcesses) } : {}),
  ...config.baselineEnv,
}).map(([name, value]) => `${name}=${value}`);
const oursLabel = processesDiffer ? `this commit (KMS_PROCESSES=${config.processes})` : "this commit";
const baseLabel =
  baselineSettings.length > 0
    ? `baseline ${baselineCommit} (${baselineSettings.join(", ")})`
    : `baseline ${baselineCommit}`;
// The baseline server runs beside ours for the whole run, and each scenario is measured on both,
// one right after the other (ours first unless --baseline-first), so that both see the same
// machine load.
if (config.baselineDir) log(`starting the baseline server from ${config.baselineDir} (commit ${baselineCommit})`);
const baseEnv: Record<string, string> = { KMS_GRPC_SERVER: "grpc-js", ...config.baselineEnv };
if (config.baselineProcesses !== undefined) baseEnv.KMS_PROCESSES = String(config.baselineProcesses);
const base = config.baselineDir ? await startKms(baseEnv, config.baselineDir) : null;
const baseGrpc = base ? grpcJs(base.server.url) : null;
const server = main.server;

/** A discarded round of mixed calls (gRPC, Connect binary, Connect JSON) against one server. */
async function globalWarmUp(target: Context, pid: number): Promise<void> {
  log(`global warm-up ${config.warmupMs / 1000}s on ${target.url}`);
  const warm = connectBinaryH2c(target.url);
  let i = 0;
  await runLoad({
    call: async () => {
      const n = i++ % 3;
      if (n === 0) await target.grpc.dataKeys("GenerateDataKey", gdkRequestGrpcJs(target.keyId));
      else if (n === 1) await warm.dataKeys.generateDataKey({ keyId: target.keyId, keySpec: DataKeySpec.AES_256 });
      else await connectJsonCall(target.url, "kms.v1.KeyService/DescribeKey", { keyId: target.keyId });
    },
    classify: classifyGrpcJs,
    concurrency: config.concurrency,
    warmupMs: 0,
    durationMs: config.warmupMs,
    serverPid: pid,
  });
}

const rows: Row[] = [];
/** Marks the rows measured against the `--baseline` server. */
const BASELINE_SUFFIX = "@baseline";
const grpc = grpcJs(server.url);
try {
  const created = await grpc.keys<{ key: { keyId: string } }>("CreateKey", { description: "bench" });
  const ctx: Context = { url: server.url, keyId: created.key.keyId, grpc };
  log(`server pid ${server.pid} on ${server.url}, key ${ctx.keyId}`);
  const baseCtx =
    base && baseGrpc
      ? {
          url: base.server.url,
          keyId: (await baseGrpc.keys<{ key: { keyId: string } }>("CreateKey", { description: "bench" })).key.keyId,
          grpc: baseGrpc,
        }
      : null;
  if (config.warmupMs > 0) {
    // One discarded round over the shared server paths (pipeline, store, sealing, three protocols)
    // so the first scenario does not pay the server's JIT warm-up alone — on both servers, so
    // that neither side of a comparison starts colder.
    await globalWarmUp(ctx, server.pid);
    if (base && baseCtx) await globalWarmUp(baseCtx, base.server.pid);
  }
  for (const s of selected) {
    const ours = { ctx, pid: server.pid, suffix: "" };
    await runScenario(
      s,
      base && baseCtx && !s.ownServer
        ? [ours, { ctx: baseCtx, pid: base.server.pid, suffix: BASELINE_SUFFIX }]
        : [ours],
    );
  }
} finally {
  grpc.close();
  baseGrpc?.close();
  await Promise.all([main.stop(), base?.stop()]);
}

/** A server a scenario runs against; `suffix` marks the rows of the `--baseline` server. */
interface Side {
  ctx: Context;
  pid: number;
  suffix: string;
}

/**
 * One scenario on our server and, with `--baseline`, on the baseline server too: a row each. With
 * both, each server is measured in `config.rounds` windows of `duration / rounds`, the servers
 * alternating (ours, base | base, ours | …; `--baseline-first` starts with the baseline — which
 * side went first moved a CPU-per-call ratio by up to ≈ 15 % on a busy machine, bench/REPORT.md,
 * "order"), so that load drifting over the run weighs on both sides alike; each window follows a
 * warm-up of its own (the full one first, a quarter of it after, enough for the closed loop to
 * fill again), and each server's windows are summed into its row.
 */
async function runScenario(s: Scenario, sides: Side[]): Promise<void> {
  const rounds = sides.length > 1 ? config.rounds : 1;
  const window = config.durationMs / rounds;
  const runs = [];
  for (const side of sides) {
    const row: Row = { id: `${s.id}${side.suffix}`, rpc: s.rpc, stack: s.stack, concurrency: s.concurrency };
    rows.push(row);
    const made = await s.setup(side.ctx);
    if ("skip" in made) {
      row.skipped = made.skip;
      log(`${row.id}: skipped — ${made.skip}`);
    } else {
      runs.push({ side, row, made, windows: [] as LoadWindow[] });
    }
  }
  if (config.baselineFirst) runs.reverse();
  log(
    `${s.id}: ${config.warmupMs / 1000}s warm-up + ${window / 1000}s at concurrency ${s.concurrency}` +
      (rounds > 1 ? `, ${rounds} rounds per server, alternating` : ""),
  );
  try {
    for (let round = 0; round < rounds; round++) {
      for (const run of round % 2 === 0 ? runs : [...runs].reverse()) {
        run.windows.push(
          await measureLoad({
            call: run.made.call,
            classify: run.made.classify,
            concurrency: s.concurrency,
            warmupMs: round === 0 ? config.warmupMs : config.warmupMs / 4,
            durationMs: window,
            serverPid: run.made.serverPid ?? run.side.pid,
          }),
        );
      }
    }
  } finally {
    for (const run of runs) await run.made.close?.();
  }
  for (const run of runs) {
    const r = summarizeLoad(run.windows);
    run.row.result = r;
    log(
      `  ${run.row.id}: ${fmt(r.okPerSecond, 0)} ok/s, p50 ${fmt(r.latencyMs.p50, 1)} ms, errors ${JSON.stringify(r.errors)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(n: number | undefined, digits: number): string {
  return n === undefined || Number.isNaN(n) ? "–" : n.toFixed(digits);
}

const byId = new Map(rows.filter((r) => r.result).map((r) => [r.id, r.result!]));

function ratio(a: string, b: string, pick: (r: LoadResult) => number | undefined): string {
  const x = byId.get(a);
  const y = byId.get(b);
  const vx = x && pick(x);
  const vy = y && pick(y);
  return vx !== undefined && vy !== undefined && vy > 0 ? `${(vx / vy).toFixed(2)}×` : "n/a";
}

const out: string[] = [];
out.push(`commit ${commit}${dirty ? " + uncommitted changes in src/gen/bin" : ""}; ${new Date().toISOString()}`);
out.push(
  `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, node ${machine.node}, ` +
    `load average at start ${machine.loadAverageAtStart.join(" / ")}`,
);
out.push(
  `settings: warm-up ${config.warmupMs / 1000}s, measure ${config.durationMs / 1000}s${config.rounds > 1 && config.baselineDir ? ` in ${config.rounds} alternating rounds per server` : ""}, store ${config.databaseUrl ? "PostgreSQL" : config.dataDirParent ? `SQLite under ${config.dataDirParent}` : "SQLite"}, ` +
    `KMS_WORKERS = KMS_KEYPAIR_CONCURRENCY = ${config.workers}, KMS_LOG_LEVEL=info; client and server on the same machine`,
);
out.push("");
out.push(
  "| scenario | RPC | stack | conc | ok/s | p50 ms | p95 ms | p99 ms | errors (count by code/reason) | server CPU % | server CPU ms/call | client CPU % |",
);
out.push("|---|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|");
for (const row of rows) {
  const r = row.result;
  if (!r) {
    out.push(`| ${row.id} | ${row.rpc} | ${row.stack} | ${row.concurrency} | skipped: ${row.skipped} | | | | | | | |`);
    continue;
  }
  const errs = Object.entries(r.errors)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
  out.push(
    `| ${row.id} | ${row.rpc} | ${row.stack} | ${row.concurrency} | ${fmt(r.okPerSecond, 0)} | ${fmt(r.latencyMs.p50, 2)} | ` +
      `${fmt(r.latencyMs.p95, 2)} | ${fmt(r.latencyMs.p99, 2)} | ${errs || "0"} | ${fmt(r.serverCpuPercent, 0)} | ` +
      `${fmt(r.serverCpuMsPerCall, 3)} | ${fmt(r.clientCpuPercent, 0)} |`,
  );
}

const cpu = (r: LoadResult) => r.serverCpuMsPerCall;
// A refusal scenario has no successes: compare its completed calls (all refused) per second instead.
const done = (r: LoadResult) => (r.ok > 0 ? r.okPerSecond : r.callsPerSecond);
out.push("");
out.push("ratios (this run): throughput (ok/s) | server CPU per call");
const pairs: [string, string, string][] = [
  ["GenerateDataKey gRPC: ours, grpc-js server ÷ bare grpc-js ceiling", "gdk-grpc-js", "gdk-grpc-js-ceiling"],
  [
    "GenerateDataKey gRPC: ours, connect-node server ÷ bare grpc-js ceiling",
    "gdk-grpc-js-connect-node",
    "gdk-grpc-js-ceiling",
  ],
  ["GenerateDataKey gRPC: ours, grpc-js server ÷ connect-node server", "gdk-grpc-js", "gdk-grpc-js-connect-node"],
  ["GenerateDataKey: grpc-js client ÷ connect-node gRPC client", "gdk-grpc-js", "gdk-connect-grpc"],
  ["GenerateDataKey: grpc-js ÷ Connect JSON HTTP/1.1", "gdk-grpc-js", "gdk-connect-json-h1"],
  ["GenerateDataKey: grpc-js ÷ Connect binary h2c", "gdk-grpc-js", "gdk-connect-binary-h2c"],
  ["GenerateDataKey: Connect binary h2c ÷ connect-node gRPC", "gdk-connect-binary-h2c", "gdk-connect-grpc"],
  ["GenerateDataKey: AWS SDK ÷ grpc-js", "gdk-aws-sdk", "gdk-grpc-js"],
  ["GenerateDataKey grpc-js ÷ GET /healthz raw h2 (floor)", "gdk-grpc-js", "healthz-h2-raw"],
  ["DescribeKey grpc-js ÷ GET /healthz raw h2 (floor)", "describe-grpc-js", "healthz-h2-raw"],
  ["DescribeKey ÷ GenerateDataKey, grpc-js", "describe-grpc-js", "gdk-grpc-js"],
  ["DescribeKey ÷ GenerateDataKey, Connect JSON", "describe-connect-json-h1", "gdk-connect-json-h1"],
  ["DescribeKey: grpc-js ÷ Connect JSON", "describe-grpc-js", "describe-connect-json-h1"],
  [
    "DescribeKey refused, no token ÷ authenticated DescribeKey, grpc-js",
    "describe-grpc-js-no-token",
    "describe-grpc-js",
  ],
  [
    "DescribeKey refused, unknown token ÷ authenticated DescribeKey, grpc-js",
    "describe-grpc-js-bad-token",
    "describe-grpc-js",
  ],
  ["DescribeKey refused: unknown token ÷ no token, grpc-js", "describe-grpc-js-bad-token", "describe-grpc-js-no-token"],
  ["AdvanceEncrypt 1 KiB ÷ GenerateDataKey, grpc-js", "aencrypt-grpc-js", "gdk-grpc-js"],
  ["AdvanceDecrypt ÷ AdvanceEncrypt, grpc-js", "adecrypt-grpc-js", "aencrypt-grpc-js"],
  ["GenerateDataKeyPair EC_P256 ÷ RSA_2048", "pair-ec-p256-grpc-js", "pair-rsa-2048-grpc-js"],
  [
    "GenerateDataKeyPair RSA_2048: pause after refusal ÷ retry at once",
    "pair-rsa-2048-grpc-js-backoff",
    "pair-rsa-2048-grpc-js",
  ],
];
for (const row of rows) {
  if (!row.id.endsWith(BASELINE_SUFFIX)) continue;
  const ours = row.id.slice(0, -BASELINE_SUFFIX.length);
  if (byId.has(ours) && byId.has(row.id)) {
    out.push(`- ${ours}: ${oursLabel} ÷ ${baseLabel}: ${ratio(ours, row.id, done)} | ${ratio(ours, row.id, cpu)}`);
  }
}
for (const [label, a, b] of pairs) {
  if (byId.has(a) && byId.has(b)) out.push(`- ${label}: ${ratio(a, b, done)} | ${ratio(a, b, cpu)}`);
}
const batch = byId.get("gdk-batch100-grpc-js");
const single = byId.get("gdk-grpc-js");
if (batch && single) {
  const perKey = (r: LoadResult, n: number) =>
    r.serverCpuMsPerCall === undefined ? undefined : r.serverCpuMsPerCall / n;
  out.push(
    `- data keys per second: BatchGenerateDataKey of ${BATCH_ITEMS} ÷ GenerateDataKey, grpc-js: ` +
      `${fmt(batch.okPerSecond * BATCH_ITEMS, 0)} ÷ ${fmt(single.okPerSecond, 0)} = ` +
      `${fmt((batch.okPerSecond * BATCH_ITEMS) / single.okPerSecond, 1)}× | server CPU per data key ` +
      `${fmt(perKey(batch, BATCH_ITEMS), 3)} ÷ ${fmt(perKey(single, 1), 3)} ms`,
  );
}
for (const id of ["pair-ec-p256-grpc-js", "pair-rsa-2048-grpc-js", "pair-rsa-2048-grpc-js-backoff"]) {
  const r = byId.get(id);
  if (!r) continue;
  const refused = Object.entries(r.errors)
    .filter(([k]) => k.endsWith("/Rejected.Throttling"))
    .reduce((n, [, v]) => n + v, 0);
  out.push(
    `- ${id}: ${r.ok} ok, ${refused} Rejected.Throttling → ${fmt(refused / Math.max(1, r.ok), 1)} refusals per success, ` +
      `${fmt((100 * refused) / Math.max(1, r.ok + refused), 1)} % of calls refused` +
      (r.errorLatencyMs ? ` (refusal p50 ${fmt(r.errorLatencyMs.p50, 2)} ms)` : "") +
      `; server CPU per success ${fmt(r.serverCpuMsPerOk, 1)} ms`,
  );
}

console.log(out.join("\n"));
if (flags.json) {
  writeFileSync(flags.json, `${JSON.stringify({ commit, dirty, machine, config, rows }, null, 2)}\n`);
  log(`raw results written to ${flags.json}`);
}
