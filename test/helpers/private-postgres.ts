import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Debian's PostgreSQL 15 server binaries (`postgresql-15`). */
export const PG_BIN = process.env.KMS_TEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/**
 * A PostgreSQL cluster of the test's own — `initdb` in a temporary directory, `postgres` on a
 * loopback port nobody else uses — that a test may stop, restart and kill without disturbing the
 * shared server other test files use at the same time.
 */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  url: string;
  port: number;
  /** Is the server process running? */
  running(): boolean;
  /** Starts the server again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /**
   * Stops the server: `fast` (SIGINT, what `pg_ctl stop` and `pg_ctlcluster stop` do) terminates
   * every session with 57P01; `immediate` (SIGQUIT) drops them without a checkpoint.
   */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** `stop` then `start`, as `pg_ctlcluster restart` does. */
  restart(): Promise<void>;
  /** Stops the server and deletes its directory. */
  destroy(): Promise<void>;
}

/** Runs as `postgres` when the test runs as root: initdb and postgres refuse to run as root. */
function identity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString());
  return { uid: id("-u"), gid: id("-g") };
}

/** A port the OS says is free on the loopback interface now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      execFileSync(join(PG_BIN, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(port), "-t", "1"]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`private PostgreSQL on port ${port} did not accept connections in ${timeoutMs} ms`);
}

/**
 * Creates and starts a private cluster. `fsync` is off: the tests stop and kill the server, never
 * the machine, so the operating system keeps every committed page either way.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), "kms-pg-"));
  const data = join(dir, "data");
  const id = identity();
  if (id) chownSync(dir, id.uid, id.gid);
  execFileSync(
    join(PG_BIN, "initdb"),
    ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
    { stdio: "ignore", ...id },
  );
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill("SIGKILL");
  process.once("exit", killOnExit);

  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async start() {
      if (cluster.running()) return;
      const args = ["-D", data, "-p", String(port), "-h", "127.0.0.1", "-k", dir, "-c", "fsync=off"];
      const started = spawn(join(PG_BIN, "postgres"), args, { stdio: "ignore", ...id });
      child = started;
      exited = new Promise((resolve) => started.once("exit", () => resolve()));
      await accepting(port, 30_000);
    },
    async stop(mode = "fast") {
      if (!cluster.running()) return;
      child?.kill(mode === "fast" ? "SIGINT" : "SIGQUIT");
      await exited;
    },
    async restart() {
      await cluster.stop("fast");
      await cluster.start();
    },
    async destroy() {
      await cluster.stop("immediate");
      process.off("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
