import cluster from "node:cluster";
import { pino } from "pino";
import { configOptions, loadConfig } from "../config.js";
import { applyHeapGrowth } from "../runtime/heap-growth.js";
import { batchedStdout } from "../telemetry/log-destination.js";
import { splitArgs } from "./admin-context.js";
import { UsageError } from "./client-args.js";
import type { CommandIo, CommandSpec } from "./command.js";

function help(): string {
  const options = configOptions()
    .map((o) => `  ${`${o.flag}${o.flag === "--dev" ? "" : " VALUE"}`.padEnd(34)} ${o.variable}: ${o.accepts}`)
    .join("\n");
  return `usage: kms serve [options]

Runs the service until SIGTERM or SIGINT, then drains in-flight calls and exits 0. Every option
is also an environment variable; a flag wins over its variable. A bad value stops start-up with
one line naming it (exit 2). The server logs JSON lines (pino) on stdout.

${options}

See README.md ("Configuration") for the defaults.`;
}

/**
 * `kms serve`: the server. Its log is JSON on stdout for log shippers; start-up failures are
 * thrown to the dispatcher, which prints them once as one line (the server is not running yet,
 * so there is no log to write them to that a person would read).
 */
async function serve(args: string[], io: CommandIo): Promise<number> {
  const { own, config: configArgs } = splitArgs(args, [], []);
  if (own.length > 0) throw new UsageError(`unexpected argument ${own[0]}\n(kms serve --help for the options)`);
  const config = loadConfig(configArgs, io.env);
  applyHeapGrowth(config.heapGrowthPercent);
  const { start } = await import("../main.js");
  const logger = pino({ level: config.logLevel }, batchedStdout());
  if (config.processes > 1 && cluster.isPrimary) {
    return (await import("../cluster/primary.js")).runPrimary(config, logger);
  }
  // A server process of a cluster whose primary is gone (killed) drains and exits too.
  if (cluster.isWorker) process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
  const running = await start(
    config,
    logger,
    cluster.isWorker
      ? {
          pairGate: (await import("../cluster/cluster-permits.js")).clusterPairGate(),
          onListening: (port, info) => process.send?.({ kms: "listening", port, info }),
        }
      : {},
  );
  await new Promise<void>((resolve) => {
    // The first signal drains; later ones (a cluster's primary forwards SIGTERM after a Ctrl-C
    // reached the whole process group) must not kill the drain.
    const onSignal = (signal: string) => {
      logger.info({ signal }, "shutting down");
      resolve();
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }).then(() => {
    process.on("SIGTERM", () => {});
    process.on("SIGINT", () => {});
  });
  await running.stop();
  return 0;
}

export const command: CommandSpec = {
  get help() {
    return help();
  },
  words: configOptions().map((o) => o.flag),
  run: serve,
};
