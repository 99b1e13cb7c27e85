/**
 * A counting semaphore with no queue (`KMS_KEYPAIR_CONCURRENCY`, docs/operations.md). The Alibaba seed refuses a pair request
 * at once with HTTP 429 `Rejected.Throttling` when the instance's concurrency limit is reached;
 * queueing without bound would instead let a burst pile up work and memory. So a caller that
 * gets no permit refuses with `Throttled` and the client retries.
 */
/**
 * Where the four pair operations take their permit: a {@link Semaphore} in a single-process
 * server, the primary's through IPC in a cluster (`src/cluster/cluster-permits.ts`), so that
 * `KMS_KEYPAIR_CONCURRENCY` bounds the whole server, not each process.
 */
export interface PairGate {
  /** A release function, or null at once when no permit is free (no queue). */
  tryAcquire(): (() => void) | null | Promise<(() => void) | null>;
}

export class Semaphore implements PairGate {
  #available: number;

  constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new Error("semaphore permits must be a positive integer");
    }
    this.#available = permits;
  }

  /**
   * Takes a permit if one is free and returns its release function, or null at once when none
   * is. Release is idempotent, so a `finally` that runs twice cannot inflate the count.
   */
  tryAcquire(): (() => void) | null {
    if (this.#available === 0) {
      return null;
    }
    this.#available--;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.#available++;
      }
    };
  }

  /** Permits free right now (for metrics). */
  get available(): number {
    return this.#available;
  }
}
