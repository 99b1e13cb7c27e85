/**
 * How late another instance may see a change (the read cache's TTL, `CACHE_TTL_MS` in
 * src/store/open-store.ts): the bound the multi-instance tests hold the server to.
 */
export const CROSS_INSTANCE_BOUND_MS = 1_000;

/**
 * Runs `attempt` repeatedly until it passes, and fails with the attempt's own error as soon as an
 * attempt that *started* later than `boundMs` after `since` still fails. So a server that sees the
 * change at once passes on the first try, one that sees it within the bound passes after a few, and
 * one that serves a stale value for longer fails — however slow each call is on a loaded machine,
 * because only the start of the failing attempt counts.
 */
export async function seenWithin<T>(
  since: number,
  attempt: () => Promise<T>,
  boundMs = CROSS_INSTANCE_BOUND_MS,
): Promise<{ value: T; attempts: number }> {
  for (let attempts = 1; ; attempts++) {
    const started = Date.now();
    try {
      return { value: await attempt(), attempts };
    } catch (err) {
      if (started - since > boundMs) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
