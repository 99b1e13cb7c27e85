import type { KeyPairSpec } from "../../core/types.js";
import type { GeneratedKeyPair, KeyPairGenerator } from "../key-pairs.js";

/**
 * Two lanes over one worker-thread generator: on-demand jobs (a caller waits for them) and
 * refill jobs (the ready-pair pool, src/crypto/pool/keypair-pool.ts). On-demand jobs go first:
 *
 * - a refill starts only on an idle thread, so it never queues in front of a waiting caller,
 *   and at most `threads − 1` refills run at once when there is more than one thread, so one
 *   thread is always left for callers;
 * - with a single thread, an on-demand job that finds a refill running aborts it (piscina then
 *   replaces the thread, see src/crypto/pool/worker-pool.ts), so a caller never waits for a refill.
 */
export interface WorkerLanes {
  /** A job a caller waits for; `signal` drops it (the caller's cancellation). */
  demand(spec: KeyPairSpec, signal?: AbortSignal): Promise<GeneratedKeyPair>;
  /** Starts a refill job when the rules above allow one now, else returns undefined. */
  tryRefill(spec: KeyPairSpec): Promise<GeneratedKeyPair> | undefined;
  /** Called whenever a job of either lane ends: the pool starts its next refill from here. */
  onJobEnd(listener: () => void): void;
  /** Refill jobs running now. */
  readonly refilling: number;
  /** Aborts the running refills and closes the generator. */
  close(): Promise<void>;
}

export function createWorkerLanes(generator: KeyPairGenerator, threads: number): WorkerLanes {
  const refillLimit = threads > 1 ? threads - 1 : 1;
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
      if (refills.size >= threads) {
        // Only possible with one thread: preempt the most recently started refill.
        [...refills].at(-1)?.abort();
      }
      try {
        return await generator.generate(spec, signal);
      } finally {
        demands--;
        ended();
      }
    },
    tryRefill(spec) {
      if (refills.size >= refillLimit || refills.size + demands >= threads) return undefined;
      const controller = new AbortController();
      refills.add(controller);
      return generator.generate(spec, controller.signal).finally(() => {
        refills.delete(controller);
        ended();
      });
    },
    onJobEnd(listener) {
      listeners.push(listener);
    },
    get refilling() {
      return refills.size;
    },
    async close() {
      for (const controller of refills) controller.abort();
      await generator.close();
    },
  };
}
