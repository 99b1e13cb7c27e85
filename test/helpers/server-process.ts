import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { createSoftHsm, type SoftHsm } from "./softhsm.js";

/**
 * The admin credentials every test server starts with (`KMS_ADMIN_*`), so that clients can
 * authenticate without reading `admin-credentials.json`. Test-only values, never used elsewhere.
 */
export const TEST_ADMIN = {
  token: "kms_test-admin-token-0123456789abcdef",
  accessKeyId: "AKIATESTADMIN00000001",
  secretAccessKey: "test-admin-secret-access-key-0123456789",
} as const;

/** `authorization` header of the test admin, for plain `fetch` calls. */
export const ADMIN_AUTH = { authorization: `Bearer ${TEST_ADMIN.token}` } as const;

/** The repository root: tests start the server exactly as the README does, from here. */
export const ROOT = resolve(import.meta.dirname, "../..");

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Every JSON log line the server printed so far. */
  logs: Record<string, unknown>[];
  /** Every stdout line exactly as printed, JSON or not (for scans of the raw output). */
  stdoutLines: string[];
  /** Everything the process wrote to stderr so far (npm's and the server's). */
  stderr(): string;
  /** The server's own pid (from its log), not npm's. */
  pid: number;
  /**
   * Sends a signal to the server process (npm passes its exit code through) and resolves with
   * npm's exit code; after 20 s the whole process group is killed.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves when the process exits. */
  exited: Promise<number | null>;
}

export interface StartOptions {
  /** Extra `KMS_*` variables; `KMS_LISTEN` defaults to 127.0.0.1:0 and `KMS_DATA_DIR` to a new temp dir. */
  env?: Record<string, string>;
  dataDir?: string;
  timeoutMs?: number;
  /** The checkout whose `npm start` runs (default: this repository); the bench's `--baseline`. */
  root?: string;
}

/**
 * Starts the real server as a child process with the README's start command (`npm start`) on a
 * port the OS picks (`KMS_LISTEN=127.0.0.1:0`), and resolves once it logs `kms listening`.
 */
export async function startServer(opts: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "kms-e2e-"));
  const child = spawn("npm", ["start", "--silent"], {
    cwd: opts.root ?? ROOT,
    env: {
      ...process.env,
      KMS_LISTEN: "127.0.0.1:0",
      KMS_DATA_DIR: dataDir,
      KMS_LOG_LEVEL: "info",
      KMS_WORKERS: "2",
      // One server process unless a test asks for more: tests count log lines and read in-process state.
      KMS_PROCESSES: "1",
      // No ready key-pair pool unless a test asks for one (test/e2e/keypair-pool.test.ts does):
      // the default pool fills with RSA_4096/3072/2048 pairs, seconds of a core per server, and a
      // suite of a few hundred servers would spend most of its CPU there, on pairs no test takes.
      KMS_KEYPAIR_POOL: "off",
      KMS_ADMIN_TOKEN: TEST_ADMIN.token,
      KMS_ADMIN_ACCESS_KEY_ID: TEST_ADMIN.accessKeyId,
      KMS_ADMIN_SECRET_ACCESS_KEY: TEST_ADMIN.secretAccessKey,
      ...pkcs11RootKeyEnv(opts.env),
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  // A test that times out in a hook never reaches its `stop`: the server (its own process group)
  // would outlive the test worker and load the machine for the rest of the run.
  const reap = () => killGroup(child);
  process.once("exit", reap);
  child.once("close", () => process.off("exit", reap));
  const logs: Record<string, unknown>[] = [];
  const stdoutLines: string[] = [];
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  // "close", not "exit": it comes after stdout and stderr are drained, so error messages are complete.
  const exited = new Promise<number | null>((res) => child.once("close", (code) => res(code)));
  let pid = 0;
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => {
      killGroup(child);
      rej(new Error(`server did not start in time; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      stdoutLines.push(line);
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === "kms listening") {
        pid = Number(entry.pid);
        clearTimeout(timer);
        res(Number(entry.port));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      const tail = stdoutLines.slice(-5).join("\n");
      rej(new Error(`server exited with ${code} before listening; stderr: ${stderr}; last log lines:\n${tail}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    child,
    logs,
    stdoutLines,
    stderr: () => stderr,
    exited,
    pid,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(pid, signal);
        } catch {}
        const timer = setTimeout(() => killGroup(child), 20_000);
        await exited;
        clearTimeout(timer);
      }
      killGroup(child);
      return exited;
    },
  };
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {}
}

let sharedHsm: SoftHsm | undefined;

/**
 * With `KMS_TEST_ROOT_KEY=pkcs11` (the second pass of `.ci/run`), servers whose test does not
 * choose a root key itself get theirs from a SoftHSM2 token: one private token per test process,
 * its key made by the test setup, removed when the process exits. Otherwise nothing changes.
 */
function pkcs11RootKeyEnv(env: Record<string, string> | undefined): Record<string, string> {
  if (process.env.KMS_TEST_ROOT_KEY !== "pkcs11") return {};
  if (env && Object.keys(env).some((k) => k.startsWith("KMS_ROOT_KEY") || k === "KMS_DEV")) return {};
  if (!sharedHsm) {
    const hsm = createSoftHsm();
    hsm.createKey("kms-root");
    process.once("exit", () => hsm.remove());
    sharedHsm = hsm;
  }
  return sharedHsm.env("kms-root");
}
