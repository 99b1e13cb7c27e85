import { CONNECTION_FLAGS, DEFAULT_ENDPOINT, describeFailure, flag, parseArgs, UsageError } from "./client-args.js";
import type { CommandIo, CommandSpec } from "./command.js";
import { CONNECTION_HELP } from "./help-text.js";
import { printError } from "./terminal.js";

/** The synopsis printed with a usage mistake. */
export const STATUS_USAGE = "kms status [--endpoint URL] [--token T]";

const POOL_COLUMNS = ["depth", "target", "hits", "misses", "refills", "discards"] as const;
type PoolColumn = (typeof POOL_COLUMNS)[number];

/** `name{spec="X",…} value` lines of the Prometheus text format, for the pool's metrics only. */
const POOL_LINE =
  /^kms_keypair_pool_(depth|target|hits_total|misses_total|refills_total|discards_total)\{spec="([A-Z0-9_]+)"[^}]*\} (\S+)$/;

/**
 * Reads the pool's figures from `/metrics` text: one row per spec, discards summed over reasons.
 * Empty when the service runs without a pool.
 */
export function poolFigures(metricsText: string): Map<string, Record<PoolColumn, number>> {
  const rows = new Map<string, Record<PoolColumn, number>>();
  for (const line of metricsText.split("\n")) {
    const m = POOL_LINE.exec(line);
    if (!m) continue;
    const column = m[1]!.replace(/_total$/, "") as PoolColumn;
    const row = rows.get(m[2]!) ?? { depth: 0, target: 0, hits: 0, misses: 0, refills: 0, discards: 0 };
    row[column] += Number(m[3]);
    rows.set(m[2]!, row);
  }
  return rows;
}

function table(rows: Map<string, Record<PoolColumn, number>>): string {
  const lines = [["spec", ...POOL_COLUMNS]];
  for (const [spec, row] of rows) lines.push([spec, ...POOL_COLUMNS.map((c) => String(row[c]))]);
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

class Unreachable extends Error {}

function metricsUrl(endpoint: string): URL {
  try {
    return new URL("/metrics", endpoint);
  } catch {
    throw new UsageError(`--endpoint is not a URL: ${endpoint}`);
  }
}

/**
 * `kms status`: what a running service reports about itself — today the key-pair pool (ready
 * pairs and targets per spec, hits, misses generated on demand, refills, discards), read from its
 * `/metrics` with the bearer token (`--token`/`KMS_TOKEN`), so it shows exactly what Prometheus sees.
 */
export async function statusCommand(args: string[], io: CommandIo): Promise<number> {
  let endpoint = io.env.KMS_ENDPOINT ?? DEFAULT_ENDPOINT;
  try {
    const parsed = parseArgs(args, CONNECTION_FLAGS);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
    endpoint = flag(parsed, "endpoint") ?? endpoint;
    const token = flag(parsed, "token") ?? io.env.KMS_TOKEN;
    if (!token) throw new UsageError("no token: set KMS_TOKEN or --token");
    const url = metricsUrl(endpoint);
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).catch(() => {
      throw new Unreachable(`cannot reach the KMS at ${endpoint}`);
    });
    if (res.status === 401) throw new UsageError("the token was not accepted (UnrecognizedClientException)");
    if (!res.ok) throw new UsageError(`${url.href} answered HTTP ${res.status}`);
    const rows = poolFigures(await res.text());
    io.stdout.write(rows.size === 0 ? "key-pair pool: off\n" : `key-pair pool\n${table(rows)}\n`);
    return 0;
  } catch (err) {
    printError(io.stderr, io.env, err instanceof Unreachable ? err.message : describeFailure(err, endpoint));
    if (err instanceof UsageError) {
      io.stderr.write(`usage: ${STATUS_USAGE}\n`);
      return 2;
    }
    return 1;
  }
}

export const command: CommandSpec = {
  help: `usage: ${STATUS_USAGE}

What a running KMS reports about itself: the key-pair pool per spec (ready pairs, targets, hits,
misses, refills, discards), read from its /metrics with the bearer token.

${CONNECTION_HELP}`,
  words: ["--endpoint", "--token"],
  run: statusCommand,
};
