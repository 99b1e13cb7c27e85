import { pino } from "pino";
import { ConfigError, loadConfig } from "./config.js";
import { StartupError, start } from "./main.js";

const USAGE = `usage: kms serve [--listen host:port] [--data-dir dir] [--database-url url] ...
Every option is also a KMS_* environment variable (see README.md).`;

/**
 * The `kms` command. `serve` runs the service until SIGTERM/SIGINT, then drains in-flight calls
 * and exits 0. Configuration errors print one line and exit 2; other start-up failures exit 1.
 */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== "serve") {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(rest, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kms: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel });
  let running: Awaited<ReturnType<typeof start>>;
  try {
    running = await start(config, logger);
  } catch (err) {
    if (err instanceof StartupError || (err instanceof Error && /KMS_ROOT_KEY/.test(err.message))) {
      logger.fatal(err.message);
      process.stderr.write(`kms: ${err.message}\n`);
      return 1;
    }
    logger.fatal({ err }, "start-up failed");
    return 1;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, "shutting down");
      resolve();
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  await running.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`kms: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
