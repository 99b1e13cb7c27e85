import type { KmsClient } from "../client/client.js";
import {
  CONNECTION_FLAGS,
  clientFrom,
  DEFAULT_ENDPOINT,
  describeFailure,
  type ParsedArgs,
  parseArgs,
  UsageError,
} from "./client-args.js";
import type { CommandIo, CommandSpec } from "./command.js";
import { printError } from "./terminal.js";

/** What a subcommand of a client command gets: the typed client, its arguments and the streams. */
export interface ClientContext {
  client: KmsClient;
  parsed: ParsedArgs;
  io: CommandIo;
}

/** One subcommand (`kms keys rotate`): the flags it takes besides the connection flags, and its body. */
export interface Subcommand {
  flags: readonly string[];
  /** Positional arguments, by name, as the usage line shows them (`["KEY"]`). */
  positionals: readonly string[];
  /** Short forms (`{ "-n": "n" }`). */
  short?: Record<string, string>;
  /** Flags that take no value (`follow` for `--follow`). */
  booleans?: readonly string[];
  /** Trailing positionals that may be left out (`kms aliases list [KEY]`): how many. */
  optional?: number;
  run(ctx: ClientContext): Promise<void>;
}

/**
 * A client command made of subcommands — `kms keys`, `kms aliases`, `kms grants`, `kms policy` —
 * from a table of them: `kms NAME SUB [args] [flags]`. Each subcommand's flags are the only ones
 * accepted (plus `--endpoint`, `--token`, `--output`), so a typo is an error, not ignored.
 * Failures print one line (exit 1); usage mistakes one line and the synopsis (exit 2).
 */
export function clientCommand(name: string, help: string, subcommands: Record<string, Subcommand>): CommandSpec {
  const synopsis = Object.entries(subcommands)
    .map(([sub, spec]) => `kms ${name} ${sub}${spec.positionals.map((p) => ` ${p}`).join("")}`)
    .join("\n  ");
  return {
    help,
    words: [
      ...Object.keys(subcommands),
      ...new Set(Object.values(subcommands).flatMap((s) => s.flags.map((f) => `--${f}`))),
      "--endpoint",
      "--token",
    ],
    async run(args: string[], io: CommandIo): Promise<number> {
      let endpoint = io.env.KMS_ENDPOINT ?? DEFAULT_ENDPOINT;
      try {
        const [sub, ...rest] = args;
        if (sub === undefined || !Object.hasOwn(subcommands, sub)) {
          const what = sub === undefined ? "missing subcommand" : `unknown subcommand "${sub}"`;
          throw new UsageError(`kms ${name}: ${what}\nusage:\n  ${synopsis}\n(kms ${name} --help for more)`);
        }
        const spec = subcommands[sub]!;
        const parsed = parseArgs(rest, [...spec.flags, ...CONNECTION_FLAGS], spec.short, spec.booleans);
        const most = spec.positionals.length;
        const least = most - (spec.optional ?? 0);
        if (parsed.positionals.length < least || parsed.positionals.length > most) {
          const shape = spec.positionals.join(" ") || "no arguments";
          throw new UsageError(`kms ${name} ${sub} takes ${shape}\n(kms ${name} --help for more)`);
        }
        const conn = clientFrom(parsed, io.env);
        endpoint = conn.endpoint;
        await spec.run({ client: conn.client, parsed, io });
        return 0;
      } catch (err) {
        printError(io.stderr, io.env, describeFailure(err, endpoint));
        return err instanceof UsageError ? 2 : 1;
      }
    },
  };
}

/** Every page of a paged list RPC, in order. */
export async function allPages<T>(page: (token: string) => Promise<{ items: T[]; next: string }>): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  do {
    const { items, next } = await page(token);
    all.push(...items);
    token = next;
  } while (token !== "");
  return all;
}
