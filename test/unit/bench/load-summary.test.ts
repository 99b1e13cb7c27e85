import { describe, expect, it } from "vitest";
import { type LoadWindow, summarizeLoad } from "../../../bench/lib/load.js";

/** A window with the given latencies (ms), `seconds` long, whose server spent `cpuMs`. */
function window(ok: number[], seconds: number, cpuMs: number | undefined, errors: number[] = []): LoadWindow {
  return {
    okLatencies: Float64Array.from(ok),
    errLatencies: Float64Array.from(errors),
    errors: errors.length ? { RESOURCE_EXHAUSTED: errors.length } : {},
    seconds,
    serverCpuMs: cpuMs,
    clientCpuMs: seconds * 100,
  };
}

describe("summarizeLoad: the windows of one server as one result (bench --rounds)", () => {
  it("sums counts, seconds and CPU, and takes percentiles over every window's calls together", () => {
    // 100 calls of 1..100 ms split unevenly over two windows, out of order.
    const latencies = Array.from({ length: 100 }, (_, i) => 100 - i);
    const r = summarizeLoad([window(latencies.slice(0, 30), 1, 60, [7, 9]), window(latencies.slice(30), 3, 180, [8])]);
    expect(r.ok).toBe(100);
    expect(r.errors).toEqual({ RESOURCE_EXHAUSTED: 3 });
    expect(r.seconds).toBe(4);
    expect(r.okPerSecond).toBe(25);
    expect(r.callsPerSecond).toBe(103 / 4);
    expect(r.latencyMs).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    expect(r.errorLatencyMs).toEqual({ p50: 8, p99: 9 });
    expect(r.serverCpuMsPerCall).toBeCloseTo(240 / 103, 12);
    expect(r.serverCpuMsPerOk).toBeCloseTo(2.4, 12);
    expect(r.serverCpuPercent).toBeCloseTo(6, 12);
    expect(r.clientCpuPercent).toBeCloseTo(10, 12);
  });

  it("gives one window's result unchanged, and no CPU figure when a window could not read it", () => {
    const one = summarizeLoad([window([3, 1, 2], 2, 10)]);
    expect(one).toMatchObject({ ok: 3, okPerSecond: 1.5, latencyMs: { p50: 2, max: 3 }, serverCpuMsPerCall: 10 / 3 });
    expect(one.errorLatencyMs).toBeUndefined();
    const partial = summarizeLoad([window([1], 1, 5), window([2], 1, undefined)]);
    expect(partial.serverCpuMsPerCall).toBeUndefined();
    expect(partial.serverCpuPercent).toBeUndefined();
  });
});
