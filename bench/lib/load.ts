import { readdirSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

/** One request of a scenario; resolves on success, throws on any failure. */
export type Call = () => Promise<void>;

/** Turns a failed call into a stable label, e.g. `RESOURCE_EXHAUSTED/Rejected.Throttling`. */
export type Classify = (err: unknown) => string;

export interface LoadOptions {
  call: Call;
  classify: Classify;
  /** Calls kept in flight at once (a closed loop: each worker starts its next call when the last ends). */
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** The server's pid, to read its CPU time (all threads) from /proc. */
  serverPid: number;
}

export interface LoadResult {
  /** Successful calls that completed inside the measured window. */
  ok: number;
  /** Failed calls that completed inside the measured window, by label. */
  errors: Record<string, number>;
  /** Length of the measured window, seconds (timer-accurate, not the nominal duration). */
  seconds: number;
  /** Successful calls per second. */
  okPerSecond: number;
  /** All completed calls (ok + failed) per second. */
  callsPerSecond: number;
  /** Latency of successful calls, milliseconds. */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Latency of failed calls (e.g. refusals), milliseconds; undefined when none failed. */
  errorLatencyMs?: { p50: number; p99: number } | undefined;
  /** Server CPU time (user+system, all threads) over the window, as % of one core; undefined without /proc. */
  serverCpuPercent?: number | undefined;
  /** This process's (the load generator's) CPU over the window, as % of one core. */
  clientCpuPercent: number;
  /** Server CPU milliseconds spent per completed call (ok + failed). */
  serverCpuMsPerCall?: number | undefined;
  /** Server CPU milliseconds per successful call (what a success really costs when many calls are refused). */
  serverCpuMsPerOk?: number | undefined;
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces), or null. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/**
 * utime + stime of a process (every thread) and of its descendants that are alive, in
 * milliseconds, from /proc/<pid>/stat: with `KMS_PROCESSES` > 1 the pid is the cluster's primary
 * and the calls are served by its children.
 */
export function processCpuMs(pid: number): number | undefined {
  const own = statFields(pid);
  if (own === null) return undefined;
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields === null) continue;
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  let ticks = 0;
  const visit = (p: number, fields: string[] | null) => {
    if (fields === null) return;
    ticks += Number(fields[11]) + Number(fields[12]);
    for (const child of children.get(p) ?? []) visit(child, statFields(child));
  };
  visit(pid, own);
  return (ticks * 1000) / ticksPerSecond();
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** A growable array of doubles (latencies), cheaper than number[] at 100k+ entries. */
class Samples {
  #buf = new Float64Array(1 << 14);
  #n = 0;
  push(v: number): void {
    if (this.#n === this.#buf.length) {
      const next = new Float64Array(this.#buf.length * 2);
      next.set(this.#buf);
      this.#buf = next;
    }
    this.#buf[this.#n++] = v;
  }
  /** A copy of the samples, in arrival order. */
  values(): Float64Array {
    return this.#buf.slice(0, this.#n);
  }
  get length(): number {
    return this.#n;
  }
}

/** What one measured window saw, before it is summarised: windows of one server can be merged. */
export interface LoadWindow {
  okLatencies: Float64Array;
  errLatencies: Float64Array;
  errors: Record<string, number>;
  seconds: number;
  serverCpuMs: number | undefined;
  clientCpuMs: number;
}

/**
 * Runs `call` in a closed loop from `concurrency` workers: a warm-up whose results are thrown
 * away, then a measured window. Only calls that *complete* inside the window count. Afterwards
 * the in-flight calls are awaited (not counted) so the next scenario starts from a quiet server.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  return summarizeLoad([await measureLoad(opts)]);
}

/** {@link runLoad}'s measurement, unsummarised. */
export async function measureLoad(opts: LoadOptions): Promise<LoadWindow> {
  let phase: "warmup" | "measure" | "done" = "warmup";
  const okLatencies = new Samples();
  const errLatencies = new Samples();
  const errors: Record<string, number> = {};
  let windowStart = 0;
  let windowEnd = 0;
  let serverCpuStart: number | undefined;
  let clientCpuStart: NodeJS.CpuUsage = process.cpuUsage();
  let serverCpuEnd: number | undefined;
  let clientCpuEnd: NodeJS.CpuUsage = clientCpuStart;

  const worker = async () => {
    while (phase !== "done") {
      const t0 = performance.now();
      let label: string | undefined;
      try {
        await opts.call();
      } catch (err) {
        label = opts.classify(err);
      }
      if (phase !== "measure") continue;
      const ms = performance.now() - t0;
      if (label === undefined) {
        okLatencies.push(ms);
      } else {
        errLatencies.push(ms);
        errors[label] = (errors[label] ?? 0) + 1;
      }
    }
  };

  const timers = new Promise<void>((resolve) => {
    setTimeout(() => {
      phase = "measure";
      windowStart = performance.now();
      serverCpuStart = processCpuMs(opts.serverPid);
      clientCpuStart = process.cpuUsage();
      setTimeout(() => {
        phase = "done";
        windowEnd = performance.now();
        serverCpuEnd = processCpuMs(opts.serverPid);
        clientCpuEnd = process.cpuUsage(clientCpuStart);
        resolve();
      }, opts.durationMs);
    }, opts.warmupMs);
  });

  await Promise.all([timers, ...Array.from({ length: opts.concurrency }, worker)]);

  return {
    okLatencies: okLatencies.values(),
    errLatencies: errLatencies.values(),
    errors,
    seconds: (windowEnd - windowStart) / 1000,
    serverCpuMs: serverCpuStart !== undefined && serverCpuEnd !== undefined ? serverCpuEnd - serverCpuStart : undefined,
    clientCpuMs: (clientCpuEnd.user + clientCpuEnd.system) / 1000,
  };
}

/**
 * One result from the windows of one server: counts, seconds and CPU are summed, latency
 * percentiles are taken over every window's calls together.
 */
export function summarizeLoad(windows: readonly LoadWindow[]): LoadResult {
  const merge = (pick: (w: LoadWindow) => Float64Array) => {
    const all = new Float64Array(windows.reduce((n, w) => n + pick(w).length, 0));
    let at = 0;
    for (const w of windows) {
      all.set(pick(w), at);
      at += pick(w).length;
    }
    return all.sort();
  };
  const sorted = merge((w) => w.okLatencies);
  const errSorted = merge((w) => w.errLatencies);
  const errors: Record<string, number> = {};
  for (const w of windows) for (const [label, n] of Object.entries(w.errors)) errors[label] = (errors[label] ?? 0) + n;
  const seconds = windows.reduce((t, w) => t + w.seconds, 0);
  const serverCpuMs = windows.some((w) => w.serverCpuMs === undefined)
    ? undefined
    : windows.reduce((t, w) => t + w.serverCpuMs!, 0);
  const clientCpuMs = windows.reduce((t, w) => t + w.clientCpuMs, 0);
  const ok = sorted.length;
  const failed = errSorted.length;
  return {
    ok,
    errors,
    seconds,
    okPerSecond: ok / seconds,
    callsPerSecond: (ok + failed) / seconds,
    latencyMs: {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    },
    errorLatencyMs: failed ? { p50: percentile(errSorted, 50), p99: percentile(errSorted, 99) } : undefined,
    serverCpuPercent: serverCpuMs === undefined ? undefined : (serverCpuMs / (seconds * 1000)) * 100,
    clientCpuPercent: (clientCpuMs / (seconds * 1000)) * 100,
    serverCpuMsPerCall: serverCpuMs === undefined || ok + failed === 0 ? undefined : serverCpuMs / (ok + failed),
    serverCpuMsPerOk: serverCpuMs === undefined || ok === 0 ? undefined : serverCpuMs / ok,
  };
}
