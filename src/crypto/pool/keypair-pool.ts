import { KEY_PAIR_SPEC_NAMES, type KeyPairSpec, specRow } from "../../domain/specs.js";
import type { GeneratedKeyPair, KeyPairGenerator } from "../key-pairs.js";
import { DemandTracker } from "./demand.js";
import type { WorkerLanes } from "./worker-lanes.js";

/** Where the four data-key-pair operations get a pair: the ready pool first, else generated now. */
export interface KeyPairSource {
  take(spec: KeyPairSpec, signal?: AbortSignal): Promise<GeneratedKeyPair>;
}

/** Why pooled pairs were thrown away (zeroed first): too old, a quiet spec shrinking, shutdown. */
export type DiscardReason = "expired" | "surplus" | "stopped";

/** One spec's figures, for `/metrics` and `kms status`. Counts only: never key material. */
export interface PoolSpecStats {
  spec: KeyPairSpec;
  depth: number;
  target: number;
  /** Pairs handed out from the pool. */
  hits: number;
  /** Pairs generated on demand because the pool had none. */
  misses: number;
  /** Pairs the background refill added. */
  refills: number;
  discards: Record<DiscardReason, number>;
}

export interface KeyPairPoolOptions {
  lanes: WorkerLanes;
  /** Configured depth per spec (`KMS_KEYPAIR_POOL`); a spec left out or at 0 is never pooled. */
  targets: Partial<Record<KeyPairSpec, number>>;
  /** A pooled pair older than this is discarded (`KMS_KEYPAIR_POOL_MAX_AGE`). */
  maxAgeMs: number;
  /** Adaptive growth stops where the pooled pairs would take more than this (default 8 MiB). */
  memoryCapBytes?: number;
  /** Monotonic milliseconds (injected for tests; default `performance.now`). */
  now?: () => number;
  /** Called once, when every spec first reaches its configured depth. */
  onFilled?: (ms: number) => void;
  /** A refill failed for another reason than being preempted or stopped; refills pause 1 s. */
  onError?: (err: unknown) => void;
}

/**
 * About what one pair occupies (PKCS#8 + SPKI DER), for the memory cap: an RSA private key holds
 * n, d, p, q, dp, dq and qinv (≈ 4.5 × the modulus bytes, RFC 8017 §A.1.2) and its public key n
 * again; an EC pair is a few hundred bytes whatever the curve; an ML-KEM pair is a 64-byte seed
 * and an encapsulation key of at most 1568 bytes (ML-KEM-1024, FIPS 203 Table 3).
 */
export function pairBytes(spec: KeyPairSpec): number {
  const generation = specRow(spec).generate;
  if (generation.kind === "rsa") return Math.ceil((generation.modulusBits / 8) * 5.5) + 120;
  return generation.kind === "post-quantum" ? 1700 : 230;
}

interface Entry {
  pair: GeneratedKeyPair;
  born: number;
}

interface SpecState extends Omit<PoolSpecStats, "depth"> {
  configured: number;
  entries: Entry[];
  inFlight: number;
  demand: DemandTracker;
}

function zero(pair: GeneratedKeyPair): void {
  pair.privateKeyDer.fill(0);
  pair.publicKeyDer.fill(0);
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === "AbortError";
}

/**
 * Ready key pairs per spec, generated ahead of demand in the worker threads (never on the event
 * loop) — AWS KMS pre-generates data key pairs the same way. The contract:
 *
 * - pairs live only in this process's memory: never written to the store, a file, a log or a
 *   metric; a pair is removed from the pool as it is handed out, so it is handed out once;
 * - a pair's buffers are zeroed when it is discarded (older than `maxAgeMs`, surplus of a quiet
 *   spec) or at `close`; a handed-out pair is the caller's to zero (src/core/data-keys.ts does);
 * - taking a pair starts its refill at once, through {@link WorkerLanes}, which gives waiting
 *   callers priority over refills;
 * - the depth adapts: a spec's target is the larger of its configured depth and its recent burst
 *   ({@link DemandTracker}), within `memoryCapBytes`; a quiet spec shrinks to one pair.
 *
 * It is also the generator for everything else (CreateKey's asymmetric material): `generate`
 * is an on-demand job in the same lanes, never a pooled pair.
 */
export class KeyPairPool implements KeyPairGenerator, KeyPairSource {
  readonly #lanes: WorkerLanes;
  readonly #maxAgeMs: number;
  readonly #capBytes: number;
  readonly #now: () => number;
  #onFilled: ((ms: number) => void) | undefined;
  readonly #onError: (err: unknown) => void;
  readonly #specs = new Map<KeyPairSpec, SpecState>();
  #fillStart: number | undefined;
  #pausedUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: KeyPairPoolOptions) {
    this.#lanes = opts.lanes;
    this.#maxAgeMs = opts.maxAgeMs;
    this.#capBytes = opts.memoryCapBytes ?? 8 * 1024 * 1024;
    this.#now = opts.now ?? (() => performance.now());
    this.#onFilled = opts.onFilled;
    this.#onError = opts.onError ?? (() => {});
    const now = this.#now();
    for (const spec of KEY_PAIR_SPEC_NAMES) {
      const configured = opts.targets[spec] ?? 0;
      this.#specs.set(spec, {
        spec,
        configured,
        target: configured,
        hits: 0,
        misses: 0,
        refills: 0,
        discards: { expired: 0, surplus: 0, stopped: 0 },
        entries: [],
        inFlight: 0,
        demand: new DemandTracker(now),
      });
    }
    this.#lanes.onJobEnd(() => this.#pump());
  }

  /** Starts the initial fill and the sweep that discards old pairs (a timer that keeps no process alive). */
  start(): void {
    if (this.#closed || this.#fillStart !== undefined) return;
    this.#fillStart = this.#now();
    const every = Math.min(60_000, Math.max(250, Math.floor(this.#maxAgeMs / 4)));
    this.#timer = setInterval(() => this.sweep(), every);
    this.#timer.unref();
    this.#checkFilled();
    this.#pump();
  }

  async take(spec: KeyPairSpec, signal?: AbortSignal): Promise<GeneratedKeyPair> {
    signal?.throwIfAborted();
    const state = this.#state(spec);
    const now = this.#now();
    state.demand.record(now);
    this.#expire(state, now);
    this.#retarget(now);
    const entry = state.entries.shift();
    if (entry) {
      state.hits++;
      this.#pump();
      return entry.pair;
    }
    state.misses++;
    const job = this.#lanes.demand(spec, signal);
    this.#pump();
    return job;
  }

  generate(spec: KeyPairSpec, signal?: AbortSignal): Promise<GeneratedKeyPair> {
    return this.#lanes.demand(spec, signal);
  }

  /** Discards expired pairs and a quiet spec's surplus, recomputes the targets, refills. */
  sweep(): void {
    if (this.#closed) return;
    const now = this.#now();
    this.#retarget(now);
    for (const state of this.#specs.values()) {
      this.#expire(state, now);
      if (state.demand.quiet(now)) {
        while (state.entries.length > state.target) this.#discard(state, state.entries.shift()!, "surplus");
      }
    }
    this.#pump();
  }

  stats(): PoolSpecStats[] {
    return [...this.#specs.values()].map((s) => ({
      spec: s.spec,
      depth: s.entries.length,
      target: s.target,
      hits: s.hits,
      misses: s.misses,
      refills: s.refills,
      discards: { ...s.discards },
    }));
  }

  /** Stops refilling, zeroes every pooled pair, then closes the worker threads. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const state of this.#specs.values()) {
      for (const entry of state.entries.splice(0)) this.#discard(state, entry, "stopped");
    }
    await this.#lanes.close();
  }

  #state(spec: KeyPairSpec): SpecState {
    const state = this.#specs.get(spec);
    if (!state) throw new Error(`unknown key pair spec ${String(spec)}`);
    return state;
  }

  #expire(state: SpecState, now: number): void {
    while (state.entries.length > 0 && now - state.entries[0]!.born >= this.#maxAgeMs) {
      this.#discard(state, state.entries.shift()!, "expired");
    }
  }

  #discard(state: SpecState, entry: Entry, reason: DiscardReason): void {
    zero(entry.pair);
    state.discards[reason]++;
  }

  /**
   * Each spec's target: its configured depth (one pair once quiet), raised to the recent burst;
   * the raises together stay within the memory cap (scaled down alike when they would not).
   */
  #retarget(now: number): void {
    let baseBytes = 0;
    let extraBytes = 0;
    const wants = new Map<SpecState, { base: number; want: number }>();
    for (const state of this.#specs.values()) {
      const quiet = state.demand.quiet(now);
      const base = quiet ? Math.min(state.configured, 1) : state.configured;
      const want = state.configured === 0 || quiet ? base : Math.max(base, state.demand.burst(now));
      wants.set(state, { base, want });
      baseBytes += base * pairBytes(state.spec);
      extraBytes += (want - base) * pairBytes(state.spec);
    }
    const ratio = extraBytes === 0 ? 1 : Math.min(1, Math.max(0, this.#capBytes - baseBytes) / extraBytes);
    for (const [state, { base, want }] of wants) state.target = base + Math.floor((want - base) * ratio);
  }

  /** Starts refills, neediest spec first, for as long as the lanes take them. */
  #pump(): void {
    if (this.#closed || this.#fillStart === undefined || this.#now() < this.#pausedUntil) return;
    for (;;) {
      let neediest: SpecState | undefined;
      let need = 0;
      for (const state of this.#specs.values()) {
        const missing = state.target - state.entries.length - state.inFlight;
        if (missing > 0 && missing / state.target > need) {
          neediest = state;
          need = missing / state.target;
        }
      }
      if (!neediest) return;
      const job = this.#lanes.tryRefill(neediest.spec);
      if (!job) return;
      const state = neediest;
      state.inFlight++;
      job.then(
        (pair) => this.#arrived(state, pair),
        (err) => this.#failed(state, err),
      );
    }
  }

  #arrived(state: SpecState, pair: GeneratedKeyPair): void {
    state.inFlight--;
    if (this.#closed) {
      zero(pair);
      state.discards.stopped++;
      return;
    }
    state.entries.push({ pair, born: this.#now() });
    state.refills++;
    this.#checkFilled();
    this.#pump();
  }

  #failed(state: SpecState, err: unknown): void {
    state.inFlight--;
    if (this.#closed || isAbort(err)) return;
    this.#onError(err);
    this.#pausedUntil = this.#now() + 1000;
    setTimeout(() => this.#pump(), 1000).unref();
  }

  #checkFilled(): void {
    if (this.#fillStart === undefined || this.#onFilled === undefined) return;
    for (const state of this.#specs.values()) {
      if (state.entries.length < state.configured) return;
    }
    const onFilled = this.#onFilled;
    this.#onFilled = undefined;
    onFilled(this.#now() - this.#fillStart);
  }
}
