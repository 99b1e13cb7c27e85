import type { DescService } from "@bufbuild/protobuf";
import { ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { KmsError } from "../domain/errors.js";
import { toConnectError } from "./connect-errors.js";
import { clientNameKey } from "../edge/client-cert.js";
import { requestIdKey } from "../edge/request-id.js";
import type { Call, Pipeline } from "../edge/pipeline.js";

/**
 * A service's methods as `ServiceImpl<S>` types them, with the pipeline's {@link Call} in place of
 * Connect's `HandlerContext`: the request and response types are those of the descriptor's
 * methods, and the implementation knows nothing of Connect.
 */
export type CallImpl<S extends DescService> = {
  [M in keyof ServiceImpl<S>]: ServiceImpl<S>[M] extends (req: infer I, ctx: HandlerContext) => infer O
    ? (req: I, call: Call) => O
    : never;
};

/**
 * Adapts transport-free unary implementations to a Connect service implementation: each call
 * runs through the {@link Pipeline}; a KmsError becomes a ConnectError with its ErrorInfo. The
 * request id is the one the listener assigned (a Connect context value).
 */
export function wrapService<S extends DescService>(service: S, impl: CallImpl<S>, pipeline: Pipeline): ServiceImpl<S> {
  const methods = impl as Record<string, ((req: unknown, call: Call) => unknown) | undefined>;
  const out: Record<string, (req: unknown, ctx: HandlerContext) => Promise<unknown>> = {};
  for (const method of service.methods) {
    const fn = methods[method.localName];
    if (!fn) throw new Error(`${service.typeName}.${method.name} has no implementation`);
    out[method.localName] = async (req, ctx) => {
      const info = {
        service: service.typeName,
        method: method.name,
        requestId: ctx.values.get(requestIdKey),
        clientName: ctx.values.get(clientNameKey),
        headers: ctx.requestHeader,
        signal: ctx.signal,
        stack: "connect-node",
      };
      try {
        return await pipeline.run(info, async (call) => fn(req, call));
      } catch (err) {
        // A call the deadline (`grpc-timeout`, `connect-timeout-ms`) ended answers as connect-node
        // aborted it — DEADLINE_EXCEEDED — not as the Cancelled the pipeline records.
        if (ctx.signal.aborted && ctx.signal.reason instanceof ConnectError) throw ctx.signal.reason;
        throw err instanceof KmsError ? toConnectError(err) : err;
      }
    };
  }
  return out as ServiceImpl<S>;
}
