import type { Readable, Writable } from "node:stream";
import type { ProgressTarget } from "./progress.js";

/** The process's streams and environment, injected so the commands can run in tests. */
export interface CommandIo {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: ProgressTarget;
  env: NodeJS.ProcessEnv;
}

/**
 * One `kms` command as the dispatcher (`src/cli/index.ts`) sees it. Each command module exports
 * one of these as `command`; the table in `src/cli/commands.ts` names it and loads it lazily.
 */
export interface CommandSpec {
  /** The whole help, printed on stdout by `kms NAME --help` / `-h` (exit 0). */
  help: string;
  /** What shell completion offers after `kms NAME`: subcommands first, then flags. */
  words: readonly string[];
  /**
   * Runs the command with the arguments after its name. Returns the exit status: 0, 1 for a
   * failure, 2 for a usage mistake. May throw instead: the dispatcher prints any error as one
   * line (`UsageError`, `ConfigError` exit 2; anything else exit 1).
   */
  run(args: string[], io: CommandIo): Promise<number>;
}
