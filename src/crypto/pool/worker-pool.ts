import { createRequire } from "node:module";
import { extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import type { KeySpec } from "../../domain/types.js";
import { type GeneratedKeyPair, generateKeyPairSync, type KeyPairGenerator } from "../key-pairs.js";
import type { KeyPairJob, KeyPairResult } from "./keypair-worker.js";

/**
 * The worker's file beside this one, with this file's extension: `.ts` when running from source
 * (under `node --import tsx` or vitest), `.js` when running from `dist/`.
 */
function workerFile(): { filename: string; typescript: boolean } {
  const ext = extname(fileURLToPath(import.meta.url));
  return { filename: new URL(`./keypair-worker${ext}`, import.meta.url).href, typescript: ext === ".ts" };
}

/**
 * Node flags for the pool's threads. From source, a thread must itself be able to load
 * TypeScript: vitest transforms modules in its own loader, which worker threads do not inherit,
 * so unless the process already runs under `--import tsx` the threads get tsx's loader,
 * resolved to an absolute URL so the working directory does not matter.
 */
function threadExecArgv(typescript: boolean): string[] {
  const argv = [...process.execArgv];
  if (typescript && !argv.some((a) => /\btsx\b/.test(a))) {
    const loader = createRequire(import.meta.url).resolve("tsx");
    argv.push("--import", pathToFileURL(loader).href);
  }
  return argv;
}

/**
 * The production key-pair generator: a fixed-size piscina pool (`minThreads = maxThreads =
 * threads`, so no thread start-up cost lands on a request).
 *
 * `signal` is handed to piscina: a job whose signal aborts while it waits in the queue is
 * dropped without running, and the promise rejects with piscina's `AbortError`. A job already
 * running when its signal aborts has its thread terminated and replaced (piscina's behaviour),
 * which also frees the CPU at once.
 *
 * `niceIncrement` lowers the threads' CPU priority (piscina applies it in each thread through
 * `@napi-rs/nice`; on Linux a thread's nice value is its own): the key-pair pool's refill threads
 * use 19. Every thread also puts itself under `SCHED_IDLE` as it loads (`keypair-worker.ts`,
 * `idle-priority.ts`), which makes the nice value moot where that succeeds.
 */
export function createWorkerKeyPairGenerator(opts: { threads: number; niceIncrement?: number }): KeyPairGenerator {
  if (!Number.isInteger(opts.threads) || opts.threads < 1) {
    throw new Error("key-pair worker threads must be a positive integer");
  }
  const { filename, typescript } = workerFile();
  const pool = new Piscina<KeyPairJob, KeyPairResult>({
    filename,
    minThreads: opts.threads,
    maxThreads: opts.threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    execArgv: threadExecArgv(typescript),
    niceIncrement: opts.niceIncrement ?? 0,
  });
  return {
    async generate(spec: KeySpec, signal?: AbortSignal): Promise<GeneratedKeyPair> {
      const job: KeyPairJob = { spec };
      const result = await pool.run(job, signal === undefined ? {} : { signal });
      return { publicKeyDer: toBuffer(result.publicKeyDer), privateKeyDer: toBuffer(result.privateKeyDer) };
    },
    close: () => pool.destroy(),
  };
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * Generates on the calling thread. For unit tests only: an RSA-4096 generation here blocks the
 * event loop for up to a second, which the server must never do (it would stall every call).
 */
export function createInlineKeyPairGenerator(): KeyPairGenerator {
  return {
    async generate(spec: KeySpec, signal?: AbortSignal): Promise<GeneratedKeyPair> {
      signal?.throwIfAborted();
      return generateKeyPairSync(spec);
    },
    async close() {},
  };
}
