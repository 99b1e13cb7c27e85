import type { Span, Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { Principal } from "../core/access/access.js";
import type { CallContext } from "../core/deps.js";
import { ERROR_WIRE, INTERNAL_MESSAGE, KmsError, toKmsError } from "../domain/errors.js";
import type { AuditEntry } from "../domain/security-records.js";
import type { SigV4Request } from "../security/sigv4.js";
import { inCallSpan, recordOutcome } from "./call-span.js";
import type { Metrics } from "./metrics.js";

/** What every surface knows about a call before it runs. */
export interface CallInfo {
  /** `kms.v1.KeyService` or `TrentService`. */
  service: string;
  method: string;
  requestId: string;
  headers: Headers;
  signal: AbortSignal;
  /** The AWS endpoint's request as signed, for SigV4 verification. */
  sigv4?: SigV4Request | undefined;
  /** The Alibaba KMS-instance endpoint's request as signed with a ClientKey (`src/alibaba/client-key-auth.ts`). */
  clientKeySigned?: SigV4Request | undefined;
  /** The common name of a client certificate verified against `KMS_TLS_CLIENT_CA` (mTLS). */
  clientName?: string | undefined;
  /** The RPC stack that served the call (`grpc-js`, `connect-node`), logged with it. */
  stack?: string | undefined;
}

export type { Principal } from "../core/access/access.js";

/** What a call's implementation receives: its request id, abort signal, logger and principal. */
export type Call = CallContext & { log: Logger; principal: Principal };

/**
 * Authentication: given a call, returns its principal or throws `KmsError("Unauthenticated")`
 * (or a SigV4 code). See `authentication.ts`.
 */
export type Authenticate = (info: CallInfo) => Promise<Principal>;

/**
 * The cross-cutting wrapper every surface runs its calls through — authentication, request-id
 * logging, metrics, the call's trace span (when tracing is on) and the rule that anything unexpected becomes `Internal` with a fixed message
 * while its cause goes to the log. It depends on no RPC framework, so a second gRPC stack (or the
 * AWS adapter) serves the same implementations without touching core: `src/api/wrap-service.ts`
 * and `src/aws/handler.ts` both call {@link Pipeline.run}.
 *
 * Log lines name the operation, key reference and outcome only: never request bodies, plaintext
 * or key material.
 */
export interface Pipeline {
  run<T>(info: CallInfo, fn: (call: Call) => Promise<T>): Promise<T>;
}

/** Appends one audit record; a failure makes the call fail (fail closed). */
export type AuditSink = (entry: AuditEntry) => Promise<void>;

export function createPipeline(deps: {
  logger: Logger;
  metrics: Metrics;
  authenticate: Authenticate;
  audit: AuditSink;
  /** Starts each call's span (`call-span.ts`); absent, tracing is off and no span is made. */
  tracer?: Tracer | undefined;
}): Pipeline {
  const { tracer } = deps;
  return {
    run: (info, fn) => (tracer ? inCallSpan(tracer, info, (span) => runCall(info, fn, span)) : runCall(info, fn)),
  };

  async function runCall<T>(info: CallInfo, fn: (call: Call) => Promise<T>, span?: Span): Promise<T> {
    // The call's child logger is made when a line needs it; the `call` line below writes the same
    // fields through the parent. A child per call cost a few microseconds on every call (bench/REPORT.md).
    const rpc = `${info.service}/${info.method}`;
    let child: Logger | undefined;
    const callLog = () => {
      child ??= deps.logger.child({ reqId: info.requestId, rpc, stack: info.stack });
      return child;
    };
    const started = performance.now();
    let call: Call | undefined;
    let result: T | undefined;
    let failure: KmsError | undefined;
    try {
      const principal = await deps.authenticate(info);
      call = {
        requestId: info.requestId,
        // Getters: the signal and the logger are made only for a call that uses them.
        get signal() {
          return info.signal;
        },
        get log() {
          return callLog();
        },
        principal,
      };
      result = await fn(call);
    } catch (err) {
      failure = classify(err, info, callLog);
    }
    // Every authenticated call is recorded, whatever its outcome, before the caller hears of it:
    // if the record cannot be written, the call fails (the audit trail is never silently short).
    if (call) {
      try {
        await deps.audit({
          at: new Date(),
          principal: call.principal.name,
          operation: rpc,
          keyId: call.keyIds?.join(",") || (call.keyId ?? null),
          requestId: info.requestId,
          outcome: failure ? "error" : "ok",
          errorCode: failure?.code ?? null,
          itemCount: call.itemCount ?? null,
        });
      } catch (err) {
        callLog().error({ err }, "audit record could not be written; failing the call");
        failure = auditFailure(err);
      }
    }
    const code = failure?.code ?? "OK";
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.observe(info.service, info.method, code, seconds);
    deps.logger.info({ reqId: info.requestId, rpc, stack: info.stack, code, ms: Math.round(seconds * 1000) }, "call");
    if (span) recordOutcome(span, code, call?.keyIds?.join(",") || call?.keyId);
    if (failure) throw failure;
    return result as T;
  }
}

/**
 * Turns what a call threw into its KmsError. A caller that went away (cancel, deadline,
 * disconnect) is not a failure of ours: it is recorded as Cancelled at info level, whatever the
 * aborted work threw. Anything unexpected is logged with its cause and becomes `Internal`.
 */
function classify(err: unknown, info: CallInfo, log: () => Logger): KmsError {
  if (info.signal.aborted && !(err instanceof KmsError)) return new KmsError("Cancelled", "The call was cancelled.");
  const kms = toKmsError(err);
  if (!(err instanceof KmsError)) log().error({ err }, "unexpected failure");
  else if (ERROR_WIRE[kms.code].awsStatus >= 500) log().error({ code: kms.code }, "call failed");
  return kms;
}

/**
 * What a call that could not be audited answers. A database that is away keeps its own code,
 * `DependencyTimeout` (gRPC `unavailable`, AWS 503), which clients retry; anything else is
 * `Internal`. Either way the call fails: no call is answered without its record.
 */
function auditFailure(err: unknown): KmsError {
  return err instanceof KmsError && err.code === "DependencyTimeout" ? err : new KmsError("Internal", INTERNAL_MESSAGE);
}
