import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { servePairPermits } from "./cluster-permits.js";
import { isWorkerMessage } from "./messages.js";

/**
 * `kms serve` with `KMS_PROCESSES` > 1: this process forks that many server processes
 * (`node:cluster`, the same command and environment), which share the one listening port — the
 * primary accepts and hands connections round-robin — and serves them the key-pair permits.
 * It serves no calls and opens no store itself.
 *
 * Start-up: the first process starts alone, so that migrations, the root key's check value, the
 * admin bootstrap and the seed file run once; then the others. The server is up ("kms listening",
 * logged here with this pid) when every process listens. If a process fails to start, the others
 * are stopped and this exits 1. A process that dies later is replaced.
 *
 * Shutdown (SIGTERM/SIGINT): every process drains its calls and exits; this exits 0 when all did
 * so cleanly, else 1.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<number> {
  const permits = servePairPermits(config.keyPairConcurrency);
  const workers = new Set<Worker>();
  let started = false;
  let stopping = false;
  let failedExits = 0;

  const fork = (): Promise<{ worker: Worker; port: number; info: Record<string, unknown> }> => {
    const worker = cluster.fork();
    workers.add(worker);
    permits.attach(worker);
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if (isWorkerMessage(m) && m.kms === "listening") {
          worker.off("exit", onEarlyExit);
          resolve({ worker, port: m.port, info: m.info });
        }
      };
      const onEarlyExit = (code: number | null) =>
        reject(new Error(`a server process exited during start-up (${code})`));
      worker.on("message", onMessage);
      worker.once("exit", onEarlyExit);
      worker.on("exit", (code, signal) => {
        workers.delete(worker);
        if (code !== 0) failedExits++;
        if (stopping || !started) return;
        logger.error({ pid: worker.process.pid, code, signal }, "a server process exited; starting another");
        fork().catch((err: unknown) => logger.error({ err }, "a replacement server process failed to start"));
      });
    });
  };

  const stopAll = async (): Promise<void> => {
    stopping = true;
    const exits = [...workers].map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once("exit", () => r()))));
    for (const w of workers) w.process.kill("SIGTERM");
    await Promise.all(exits);
  };

  let first: Awaited<ReturnType<typeof fork>>;
  try {
    first = await fork();
    await Promise.all(Array.from({ length: config.processes - 1 }, () => fork()));
  } catch (err) {
    await stopAll();
    logger.fatal({ err: (err as Error).message }, "start-up failed");
    return 1;
  }
  started = true;
  logger.info({ ...first.info, port: first.port, processes: config.processes }, "kms listening");

  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, "shutting down");
      resolve();
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  failedExits = 0;
  await stopAll();
  logger.info({ processes: config.processes }, "kms stopped");
  return failedExits === 0 ? 0 : 1;
}
