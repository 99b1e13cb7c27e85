/**
 * Reads the server's own Prometheus text (`GET /metrics`, with the bearer token) into what the
 * dashboard draws: counters by method and code, the request-duration histogram summed over
 * methods, and any `kms_keypair_pool_*` gauges. The format is Prometheus' text exposition
 * format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(LABEL))
      labels[k!] = v!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    const value = Number(m[3]);
    if (!Number.isNaN(value)) out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** One poll's totals. */
export interface Snapshot {
  /** Seconds since the epoch. */
  at: number;
  /** Calls so far by method (`Encrypt`, `CreateKey`), every service summed. */
  byMethod: Map<string, number>;
  /** Failed calls so far by error code (`AccessDenied`, `Throttled`). */
  errorsByCode: Map<string, number>;
  total: number;
  /** Cumulative count of calls at most `le` seconds long, every method summed; sorted by `le`. */
  buckets: [number, number][];
  /** `kms_keypair_pool_*` series by name and labels; empty while the server has no such metrics. */
  pool: Map<string, number>;
}

const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);

export function snapshot(samples: Sample[], at: number): Snapshot {
  const s: Snapshot = { at, byMethod: new Map(), errorsByCode: new Map(), total: 0, buckets: [], pool: new Map() };
  const buckets = new Map<number, number>();
  for (const { name, labels, value } of samples) {
    if (name === "kms_requests_total") {
      s.total += value;
      add(s.byMethod, labels.method ?? "?", value);
      if (labels.code && labels.code !== "OK") add(s.errorsByCode, labels.code, value);
    } else if (name === "kms_request_duration_seconds_bucket") {
      const le = labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    } else if (name.startsWith("kms_keypair_pool_") && !name.endsWith("_created")) {
      const rest = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
      s.pool.set(rest.length ? `${name.slice(17)} ${rest.join(",")}` : name.slice(17), value);
    }
  }
  s.buckets = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  return s;
}

/** Per-second rate of each key between two totals (0 for a key that is new or reset). */
export function rates(before: Map<string, number>, after: Map<string, number>, seconds: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of after) out.set(k, Math.max(0, v - (before.get(k) ?? 0)) / seconds);
  return out;
}

/**
 * The `q` quantile (0..1) of the calls between two snapshots, in seconds, interpolated linearly
 * inside the bucket it falls in (as PromQL's histogram_quantile does); undefined with no calls.
 */
export function quantile(before: Snapshot, after: Snapshot, q: number): number | undefined {
  const prev = new Map(before.buckets);
  const deltas = after.buckets.map(([le, n]) => [le, n - (prev.get(le) ?? 0)] as const);
  const count = deltas[deltas.length - 1]?.[1] ?? 0;
  if (count <= 0) return undefined;
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const [le, n] of deltas) {
    if (n >= rank) {
      if (!Number.isFinite(le)) return lower;
      return lower + (le - lower) * ((rank - below) / Math.max(n - below, 1e-9));
    }
    lower = le;
    below = n;
  }
  return lower;
}
