import type { Logger } from "pino";
import type { CallContext } from "../core/deps.js";
import { ERROR_WIRE, KmsError, toKmsError } from "../core/errors.js";
import type { Metrics } from "./metrics.js";

/** What every surface knows about a call before it runs. */
export interface CallInfo {
  /** `kms.v1.KeyService` or `TrentService`. */
  service: string;
  method: string;
  requestId: string;
  headers: Headers;
  signal: AbortSignal;
}

/** Who is calling. Filled by the authentication seam; the security issue makes it real. */
export interface Principal {
  name: string;
}

/**
 * The authentication seam: given a call, returns its principal or throws
 * `KmsError("Unauthenticated")`. Everything is let through until principals exist.
 */
export type Authenticate = (info: CallInfo) => Promise<Principal>;

export const allowAll: Authenticate = async () => ({ name: "anonymous" });

/**
 * The cross-cutting wrapper every surface runs its calls through — authentication, request-id
 * logging, metrics and the rule that anything unexpected becomes `Internal` with a fixed message
 * while its cause goes to the log. It depends on no RPC framework, so a second gRPC stack (or the
 * AWS adapter) serves the same implementations without touching core (ARCHITECTURE.md §2).
 *
 * Log lines name the operation, key reference and outcome only: never request bodies, plaintext
 * or key material.
 */
export interface Pipeline {
  run<T>(info: CallInfo, fn: (call: CallContext & { log: Logger; principal: Principal }) => Promise<T>): Promise<T>;
}

export function createPipeline(deps: { logger: Logger; metrics: Metrics; authenticate: Authenticate }): Pipeline {
  return {
    async run(info, fn) {
      const log = deps.logger.child({ reqId: info.requestId, rpc: `${info.service}/${info.method}` });
      const started = performance.now();
      let code = "OK";
      try {
        const principal = await deps.authenticate(info);
        return await fn({ requestId: info.requestId, signal: info.signal, log, principal });
      } catch (err) {
        // A caller that went away (cancel, deadline, disconnect) is not a failure of ours: it is
        // recorded as Cancelled at info level, whatever the aborted work threw.
        const kms =
          info.signal.aborted && !(err instanceof KmsError)
            ? new KmsError("Cancelled", "The call was cancelled.")
            : toKmsError(err);
        code = kms.code;
        if (!(err instanceof KmsError) && kms.code !== "Cancelled") log.error({ err }, "unexpected failure");
        else if (ERROR_WIRE[kms.code].awsStatus >= 500) log.error({ code }, "call failed");
        throw kms;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        deps.metrics.observe(info.service, info.method, code, seconds);
        log.info({ code, ms: Math.round(seconds * 1000) }, "call");
      }
    },
  };
}
