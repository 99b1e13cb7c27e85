/**
 * Lifecycle phase of the process, as seen by load balancers and orchestrators.
 *
 * - `STARTING`: listening, but not yet ready (migrations, root key load).
 * - `SERVING`: ready for traffic.
 * - `DRAINING`: shutting down; in-flight calls finish, new traffic should go elsewhere.
 */
export type ServingStatus = "STARTING" | "SERVING" | "DRAINING";

/**
 * The single source of truth for readiness, shared by HTTP `/healthz` and gRPC health.
 *
 * Both probes read the same object so they can never disagree, and gRPC `Health/Watch` streams
 * subscribe to it so a load balancer learns about draining as soon as it begins rather than at
 * its next poll. One instance is created by the server and passed to whoever needs it; there is
 * no module-level state.
 */
export class ServingState {
  #status: ServingStatus;
  readonly #listeners = new Set<(status: ServingStatus) => void>();

  constructor(initial: ServingStatus = "STARTING") {
    this.#status = initial;
  }

  /** The current phase. */
  get status(): ServingStatus {
    return this.#status;
  }

  /**
   * Moves to a new phase and notifies listeners. Setting the current phase again notifies no one,
   * so watchers only ever see real transitions.
   */
  set(status: ServingStatus): void {
    if (status === this.#status) {
      return;
    }
    this.#status = status;
    // Copy first: a listener may unsubscribe itself while being notified.
    for (const listener of [...this.#listeners]) {
      listener(status);
    }
  }

  /**
   * Calls `listener` after every transition. Returns the function that unsubscribes it; callers
   * with a bounded lifetime (a Watch stream) must call it, or the state keeps them alive.
   */
  onChange(listener: (status: ServingStatus) => void): () => void {
    const entry = (status: ServingStatus) => listener(status);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }
}
