import type { KeyPairSpec } from "../../domain/specs.js";
import type { GeneratedKeyPair, KeyPairGenerator } from "../key-pairs.js";

/**
 * Two lanes of key-generation threads: on-demand jobs (a caller waits for them) and refill jobs
 * (the ready-pair pool, src/crypto/pool/keypair-pool.ts). On-demand jobs go first:
 *
 * - they have threads of their own (`KMS_WORKERS`), so a caller's job never queues behind a
 *   refill;
 * - refills run on at most `threads − 1` threads (one when there is a single worker), started only
 *   when fewer than `threads` jobs of both lanes are running, so with a core per worker a caller's
 *   job always has a core of its own. Both lanes' threads yield to the event loop
 *   (`SCHED_IDLE`, src/crypto/pool/idle-priority.ts); where that policy cannot be set, the refill
 *   threads keep the lowest nice level (19), so CPU that is short goes to callers first.
 */
export interface WorkerLanes {
  /** A job a caller waits for; `signal` drops it (the caller's cancellation). */
  demand(spec: KeyPairSpec, signal?: AbortSignal): Promise<GeneratedKeyPair>;
  /** Starts a refill job when the rules above allow one now, else returns undefined. */
  tryRefill(spec: KeyPairSpec): Promise<GeneratedKeyPair> | undefined;
  /** Called whenever a job of either lane ends: the pool starts its next refill from here. */
  onJobEnd(listener: () => void): void;
  /** Aborts the running refills and closes both lanes' threads. */
  close(): Promise<void>;
}

export interface LaneGenerators {
  /** `threads` threads at normal priority. */
  demand: KeyPairGenerator;
  /** `max(1, threads − 1)` threads at the lowest priority. */
  refill: KeyPairGenerator;
  threads: number;
}

export function createWorkerLanes({ demand, refill, threads }: LaneGenerators): WorkerLanes {
  const refillLimit = Math.max(1, threads - 1);
  const refills = new Set<AbortController>();
  const listeners: (() => void)[] = [];
  let demands = 0;
  // After the job's own promise handlers (a macrotask later), so that the pool has counted the
  // job's outcome before it is asked to start the next refill.
  const ended = () => {
    setImmediate(() => {
      for (const listener of listeners) listener();
    });
  };
  return {
    async demand(spec, signal) {
      demands++;
      try {
        return await demand.generate(spec, signal);
      } finally {
        demands--;
        ended();
      }
    },
    tryRefill(spec) {
      if (refills.size >= refillLimit || refills.size + demands >= threads) return undefined;
      const controller = new AbortController();
      refills.add(controller);
      return refill.generate(spec, controller.signal).finally(() => {
        refills.delete(controller);
        ended();
      });
    },
    onJobEnd(listener) {
      listeners.push(listener);
    },
    async close() {
      for (const controller of refills) controller.abort();
      await Promise.all([demand.close(), refill.close()]);
    },
  };
}
