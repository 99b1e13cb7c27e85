import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the old generation grow past what survived the last full collection before it
 * collects again, in percent (`KMS_HEAP_GROWTH_PERCENT`; 0 leaves the choice to V8).
 *
 * V8 picks that factor itself, between 1.1× and 4×, from how fast it collects against how fast
 * the program allocates. A busy server collects fast, so V8 chooses a large factor: in
 * `npm run bench:memory` the main thread's live objects were ≈ 50 MiB while the process held
 * ≈ 300 MiB under load, most of it garbage waiting for a full collection. A fixed 100 % (2×) held
 * the same load at ≈ 230 MiB, at a CPU cost per call within the noise of the benchmarks; 20–50 %
 * went under 210 MiB but cost ≈ 10 % CPU per call (bench/REPORT.md, "Heap growth").
 *
 * The flag is process-wide (every isolate: the key-pair threads and the audit thread too) and
 * read at every collection, so setting it at start-up, after V8 is up, takes effect.
 */
export function applyHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
