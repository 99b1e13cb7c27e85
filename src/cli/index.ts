import { ConfigError } from "../config.js";
import { KmsError } from "../domain/errors.js";
import { UsageError } from "./client-args.js";
import type { CommandIo } from "./command.js";
import { COMMANDS, findCommand } from "./commands.js";
import { printError } from "./terminal.js";

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: kms COMMAND [arguments] [options]

${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

kms COMMAND --help shows a command's arguments and options.
Client commands (encrypt, decrypt, keys, aliases, policy, grants, import, status, audit tail) talk
to a running service: --endpoint/KMS_ENDPOINT (default http://127.0.0.1:8080), --token/KMS_TOKEN.
Admin commands (principal, client-key, audit verify) open the database with the server's
KMS_* settings or their flags (--data-dir, --database-url, ...).`;
}

/** `-h`/`--help` anywhere before a `--` asks for the command's help rather than running it. */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "-h" || a === "--help");
}

/** The one line a failure prints, and its exit status: 2 for the caller's mistakes, 1 otherwise. */
function failure(err: unknown): { message: string; code: number } {
  if (err instanceof UsageError || err instanceof ConfigError) return { message: err.message, code: 2 };
  if (err instanceof KmsError) return { message: `${err.code}: ${err.message}`, code: 1 };
  return { message: err instanceof Error ? err.message : String(err), code: 1 };
}

/**
 * The `kms` command: looks the command up in the table (`src/cli/commands.ts`), prints help for
 * `kms`, `kms --help`/`-h`/`help [COMMAND]` and `kms COMMAND --help` (stdout, exit 0), and runs it
 * otherwise. Whatever a command throws is printed once, as one line (`kms: …`, in red on a
 * terminal only), exit 2 for usage and configuration mistakes, 1 for anything else.
 */
async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    const topic = name === "help" && rest[0] !== undefined ? findCommand(rest[0]) : undefined;
    if (name === "help" && rest[0] !== undefined && !topic) return unknown(rest[0], io);
    io.stdout.write(`${topic ? (await topic.load()).command.help : overview()}\n`);
    return 0;
  }
  const row = findCommand(name);
  if (!row) return unknown(name, io);
  try {
    const { command } = await row.load();
    if (wantsHelp(rest)) {
      io.stdout.write(`${command.help}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (err) {
    const { message, code } = failure(err);
    printError(io.stderr, io.env, message);
    return code;
  }
}

function unknown(name: string, io: CommandIo): number {
  const what = name.startsWith("-") ? `unknown option ${name}` : `unknown command "${name}"`;
  printError(io.stderr, io.env, `${what}; kms --help lists the commands`);
  return 2;
}

/**
 * Resolves once everything written to `stream` so far has reached the OS. A write to a pipe can
 * still be queued in the process when a command returns (libuv completes it later), and
 * `process.exit` drops it: `kms encrypt` and `kms decrypt` to stdout lost the tail of their output
 * and still exited 0 in 18 of 60 pipelines run four at a time on Node.js 24 (none of 60 on 20).
 * Writes complete in order, so an empty write's callback runs after every earlier one; it also
 * runs (with an error) when the reader went away.
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  // The process is exiting: a reader that went away (EPIPE) only ends the wait.
  stream.on("error", () => {});
  return new Promise((resolve) => stream.write("", () => resolve()));
}

async function exit(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

// A reader of stderr that goes away (`kms … 2>&1 | head`) must not crash a command mid-write.
process.stderr.on("error", () => {});
main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(exit, (err) => {
  printError(process.stderr, process.env, err instanceof Error ? err.message : String(err));
  return exit(1);
});
