/**
 * Demand of one key-pair spec, for the pool's adaptive depth. Takes are counted in fixed windows
 * (10 s); the burst is the busiest window among the recent ones (5 min). A pool as deep as the
 * burst answers the next such burst from memory; the refill then has the quiet time after it to
 * catch up. A spec nobody asked for during `quietMs` is quiet: its pool shrinks to one pair, so
 * it does not hold memory (and, through refills after discards, CPU) for nobody.
 */
export class DemandTracker {
  readonly #windowMs: number;
  readonly #windows: number;
  readonly #quietMs: number;
  /** Takes per window, newest last; `#current` is the index (window number) of the newest. */
  #counts: number[] = [];
  #current = Number.NEGATIVE_INFINITY;
  #lastTake: number;

  constructor(now: number, opts: { windowMs?: number; windows?: number; quietMs?: number } = {}) {
    this.#windowMs = opts.windowMs ?? 10_000;
    this.#windows = opts.windows ?? 30;
    this.#quietMs = opts.quietMs ?? 600_000;
    // A fresh pool counts as recently used: its configured depth holds until it has been quiet.
    this.#lastTake = now;
  }

  /** One pair taken (from the pool or generated on demand) at `now` (monotonic ms). */
  record(now: number): void {
    this.#advance(now);
    this.#counts[this.#counts.length - 1]! += 1;
    this.#lastTake = now;
  }

  /** The most takes seen in one window among the recent windows. */
  burst(now: number): number {
    this.#advance(now);
    return Math.max(0, ...this.#counts);
  }

  /** True when nobody took a pair of this spec for `quietMs`. */
  quiet(now: number): boolean {
    return now - this.#lastTake >= this.#quietMs;
  }

  #advance(now: number): void {
    const index = Math.floor(now / this.#windowMs);
    if (index === this.#current) return;
    const gap = Math.min(this.#windows, index - this.#current);
    for (let i = 0; i < gap; i++) this.#counts.push(0);
    this.#counts.splice(0, Math.max(0, this.#counts.length - this.#windows));
    this.#current = index;
  }
}
