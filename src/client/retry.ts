import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { reasonOf } from "./errors.js";

/** Retry settings: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export interface RetryOptions {
  /** Attempts in all, including the first (default 5). */
  maxAttempts?: number;
  /** The first backoff ceiling in ms (default 50). */
  baseDelayMs?: number;
  /** The largest backoff ceiling in ms (default 2000). */
  maxDelayMs?: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

/**
 * Whether a failed call may be sent again. Only two failures qualify:
 *
 * - `resource_exhausted` with reason `Rejected.Throttling`: the service refused the call before
 *   doing anything (the seed's per-instance limit), so any method is safe to repeat;
 * - `unavailable`: the call may or may not have reached the service, so only methods declared
 *   free of side effects (`idempotency_level = NO_SIDE_EFFECTS`) are repeated.
 *
 * Everything else — a decrypt that failed, a validation error, a timeout — is final.
 */
export function isRetryable(err: ConnectError, idempotency: MethodOptions_IdempotencyLevel): boolean {
  if (err.code === Code.ResourceExhausted) return reasonOf(err) === "Rejected.Throttling";
  if (err.code === Code.Unavailable) return idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS;
  return false;
}

/**
 * The pause before the retry that follows failed attempt number `attempt` (1-based): "full
 * jitter", uniform in `[0, min(maxDelayMs, baseDelayMs · 2^(attempt−1)))`, so that clients
 * throttled together do not come back together.
 */
export function backoffDelayMs(attempt: number, opts: RetryOptions = {}): number {
  const ceiling = Math.min(opts.maxDelayMs ?? 2000, (opts.baseDelayMs ?? 50) * 2 ** (attempt - 1));
  return (opts.random ?? Math.random)() * ceiling;
}

/** A Connect interceptor that retries unary calls under {@link isRetryable}, honouring the call's abort signal. */
export function retryInterceptor(opts: RetryOptions = {}): Interceptor {
  const maxAttempts = opts.maxAttempts ?? 5;
  return (next) => async (req) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(req);
      } catch (err) {
        const ce = ConnectError.from(err);
        if (req.stream || attempt >= maxAttempts || !isRetryable(ce, req.method.idempotency)) throw err;
        await sleep(backoffDelayMs(attempt, opts), req.signal);
      }
    }
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
