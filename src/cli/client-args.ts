import { Code } from "@connectrpc/connect";
import { createKmsClient } from "../client/node.js";
import type { KmsClient } from "../client/client.js";
import { KmsClientError, toKmsClientError } from "../client/errors.js";
import { FileProblem, Interrupted } from "./cli-errors.js";

/**
 * Argument parsing and error wording shared by the client commands (`kms encrypt`, `kms decrypt`,
 * `kms keys`). These commands talk to a running service over the network and never read the
 * server's configuration or root key, so they have their own small parser instead of
 * `loadConfig`'s.
 */

/** Where the client commands look for the service without `--endpoint`/`KMS_ENDPOINT`: `npm start`'s address. */
export const DEFAULT_ENDPOINT = "http://127.0.0.1:8080";

/** A mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export { FileProblem } from "./cli-errors.js";

/** The parsed command line: flags by name (repeatable ones keep every value) and positionals. */
export interface ParsedArgs {
  flags: Map<string, string[]>;
  positionals: string[];
}

/**
 * Parses `--name value`, `--name=value` and the short forms in `short` (`-i IN`); the names in
 * `booleans` take no value (`--follow`) and read as `"true"`. Only names in `known` are accepted,
 * so a typo is an error rather than a silently ignored option.
 */
export function parseArgs(
  args: string[],
  known: readonly string[],
  short: Record<string, string> = {},
  booleans: readonly string[] = [],
): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let name: string | undefined;
    let value: string | undefined;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      if (eq !== -1) value = a.slice(eq + 1);
    } else if (a.length > 1 && a.startsWith("-") && short[a] !== undefined) {
      name = short[a];
    } else {
      positionals.push(a);
      continue;
    }
    if (name === undefined || !known.includes(name)) throw new UsageError(`unknown option ${a}`);
    if (booleans.includes(name)) {
      if (value !== undefined) throw new UsageError(`${a.slice(0, a.indexOf("="))} takes no value`);
      value = "true";
    } else if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new UsageError(`${a} needs a value`);
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positionals };
}

/**
 * Parses the arguments of a file command (`kms encrypt`, `kms decrypt`): `--context`, `-i/--in`,
 * `-o/--out`, the connection flags and `extra`; no positionals.
 */
export function parseFileArgs(args: string[], extra: readonly string[], usage: string): ParsedArgs {
  const parsed = parseArgs(args, [...extra, "context", "in", "out", ...CONNECTION_FLAGS], { "-i": "in", "-o": "out" });
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}\n${usage}`);
  return parsed;
}

/** The last value of a flag (a later flag wins, as with the server's flags). */
export function flag(parsed: ParsedArgs, name: string): string | undefined {
  return parsed.flags.get(name)?.at(-1);
}

/** `--context k=v` pairs as an encryption context; a key given twice is a usage error. */
export function contextOf(parsed: ParsedArgs): Record<string, string> {
  const context: Record<string, string> = Object.create(null);
  for (const pair of parsed.flags.get("context") ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--context wants key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    if (Object.hasOwn(context, key)) throw new UsageError(`--context ${key} given twice`);
    context[key] = pair.slice(eq + 1);
  }
  return { ...context };
}

/** The flags every client command accepts. */
export const CONNECTION_FLAGS = ["endpoint", "token"] as const;

/**
 * A client for `--endpoint`/`KMS_ENDPOINT` (default {@link DEFAULT_ENDPOINT}) with the bearer
 * token from `--token`/`KMS_TOKEN`. The token is never printed. Flags win over the environment.
 */
export function clientFrom(parsed: ParsedArgs, env: NodeJS.ProcessEnv): { client: KmsClient; endpoint: string } {
  const endpoint = flag(parsed, "endpoint") ?? env.KMS_ENDPOINT ?? DEFAULT_ENDPOINT;
  const token = flag(parsed, "token") ?? env.KMS_TOKEN;
  if (!token) throw new UsageError("no token: set KMS_TOKEN or --token");
  try {
    new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint is not a URL: ${endpoint}`);
  }
  return { client: createKmsClient({ baseUrl: endpoint, token }), endpoint };
}

/** How the file errors a person meets are worded. */
const ERRNO_WORDS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOSPC: "no space left on the device",
  EROFS: "read-only file system",
};

/** The one-line message for a failure of a client command (without the `kms: ` prefix). */
export function describeFailure(err: unknown, endpoint: string): string {
  if (err instanceof UsageError || err instanceof FileProblem || err instanceof Interrupted) return err.message;
  const sys = err as NodeJS.ErrnoException;
  if (sys instanceof Error && typeof sys.syscall === "string" && typeof sys.code === "string") {
    return `${sys.path ?? sys.syscall}: ${ERRNO_WORDS[sys.code] ?? sys.code}`;
  }
  const e = err instanceof KmsClientError ? err : toKmsClientError(err);
  switch (e.code) {
    case Code.Unavailable:
      return `cannot reach the KMS at ${endpoint} (${e.message})`;
    case Code.Unauthenticated:
      return "the token was not accepted (UnrecognizedClientException)";
    case Code.DeadlineExceeded:
      return `the KMS at ${endpoint} did not answer in time`;
    default:
      return e.reason ? `${e.reason}: ${e.message}` : `${e.codeName}: ${e.message}`;
  }
}
