import { pino } from "pino";
import { type Config, ConfigError, loadConfig } from "../config.js";
import { KmsError } from "../domain/errors.js";

const USAGE = `usage:
  kms serve [options]                         run the service until SIGTERM/SIGINT
  kms principal create NAME [--admin]         create a principal; prints its credentials as JSON
  kms principal list                          list principals
  kms principal delete NAME                   delete a principal
  kms audit verify [--expect-head HASH]       check the audit trail's hash chain
  kms root-key status | rotate                root keys in use; re-wrap everything under KMS_NEW_ROOT_KEY[_FILE|_PKCS11_KEY]
  kms client-key create PRINCIPAL [--out DIR] [--days N]   issue an Alibaba-protocol ClientKey file
  kms client-key list | delete KEY_ID         list or revoke ClientKeys
  kms tls dev-cert [--out DIR]                write a development CA and a localhost server certificate
Options are the KMS_* variables as flags (--data-dir, --database-url, --root-key-file, …); see README.md.

Client commands (talk to a running service; --endpoint/KMS_ENDPOINT, default http://127.0.0.1:8080,
and --token/KMS_TOKEN; they never read the server's configuration or root key):
  kms encrypt --key-id KEY [--context k=v ...] [-i IN] [-o OUT]   envelope-encrypt a file or stdin
  kms decrypt [--context k=v ...] [-i IN] [-o OUT]                 decrypt an envelope
  kms keys list | create [--description D] [--spec S] [--usage U] [--origin EXTERNAL] | describe|rotate|disable|enable KEY
  kms import --key KEY --material FILE [--valid-to TIME]            wrap and import key material (BYOK)
  kms status                                                       the key-pair pool's figures (from /metrics)`;

/** Commands that are clients of a running service: dispatched before any configuration is loaded. */
const CLIENT_COMMANDS = new Set(["encrypt", "decrypt", "keys", "tls", "status", "import"]);

async function clientCommand(command: string, args: string[]): Promise<number> {
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
  if (command === "encrypt") return (await import("./encrypt-command.js")).encryptCommand(args, io);
  if (command === "decrypt") return (await import("./decrypt-command.js")).decryptCommand(args, io);
  if (command === "import") return (await import("./import-command.js")).importCommand(args, io);
  if (command === "tls") return (await import("./tls-command.js")).tlsCommand(args, io);
  if (command === "status") return (await import("./status-command.js")).statusCommand(args, io);
  return (await import("./keys-command.js")).keysCommand(args, io);
}

/** Command-specific flags, kept apart from the configuration flags. */
const OWN_FLAGS = new Set(["--admin"]);
const OWN_FLAGS_WITH_VALUE = new Set(["--expect-head", "--out", "--days"]);

function split(args: string[]): { own: string[]; config: string[] } {
  const own: string[] = [];
  const config: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (OWN_FLAGS_WITH_VALUE.has(a)) own.push(a, args[++i] ?? "");
    else if (OWN_FLAGS.has(a) || !a.startsWith("--")) own.push(a);
    else {
      config.push(a);
      if (a !== "--dev" && !a.includes("=") && i + 1 < args.length && !args[i + 1]!.startsWith("--"))
        config.push(args[++i]!);
    }
  }
  return { own, config };
}

/**
 * The `kms` command. `serve` runs the service until SIGTERM/SIGINT, then drains in-flight calls
 * and exits 0. Configuration errors print one line and exit 2; other start-up failures exit 1.
 * Admin commands log to stderr so that their stdout is clean JSON or text.
 */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && CLIENT_COMMANDS.has(command)) return clientCommand(command, rest);
  if (!["serve", "principal", "client-key", "audit", "root-key"].includes(command ?? "")) {
    process.stderr.write(`${USAGE}\n`);
    return command === undefined || command === "help" || command === "--help" ? 0 : 2;
  }
  const { own, config: configArgs } = split(rest);
  let config: Config;
  try {
    config = loadConfig(configArgs, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kms: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // Loaded here rather than at the top so that the client commands, dispatched above, start
  // without the store, the worker pool and the servers (about a second per `kms encrypt`).
  const { StartupError, start } = await import("../main.js");
  const logger = command === "serve" ? pino({ level: config.logLevel }) : pino({ level: "warn" }, pino.destination(2));
  try {
    if (command === "principal")
      return await (await import("./principal-command.js")).principalCommand(own, config, logger);
    if (command === "client-key") {
      return await (await import("./client-key-command.js")).clientKeyCommand(own, config, logger);
    }
    if (command === "audit") return await (await import("./audit-command.js")).auditCommand(own, config, logger);
    if (command === "root-key")
      return await (await import("./root-key-command.js")).rootKeyCommand(own, config, logger);
    if (own.length > 0) throw new ConfigError(`unexpected argument ${own[0]}`);
    const running = await start(config, logger);
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
  } catch (err) {
    if (err instanceof StartupError || err instanceof KmsError || err instanceof ConfigError || isRootKeyError(err)) {
      logger.fatal((err as Error).message);
      process.stderr.write(`kms: ${(err as Error).message}\n`);
      return 1;
    }
    logger.fatal({ err }, "failed");
    return 1;
  }
}

function isRootKeyError(err: unknown): boolean {
  return err instanceof Error && /KMS_ROOT_KEY/.test(err.message);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`kms: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
