import type { DescService } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { KmsError } from "../domain/errors.js";
import { toConnectError } from "./connect-errors.js";
import { clientNameKey } from "../edge/client-cert.js";
import { requestIdKey } from "../edge/request-id.js";
import type { Call, Pipeline } from "../edge/pipeline.js";

// biome-ignore lint/suspicious/noExplicitAny: the request/response types are those of the descriptor's methods.
type UnaryImpl = Record<string, (req: any, call: Call) => Promise<unknown>>;

/**
 * Adapts transport-free unary implementations to a Connect service implementation: each call
 * runs through the {@link Pipeline}; a KmsError becomes a ConnectError with its ErrorInfo. The
 * request id is the one the listener assigned (a Connect context value).
 */
export function wrapService(service: DescService, impl: UnaryImpl, pipeline: Pipeline) {
  const out: Record<string, (req: unknown, ctx: HandlerContext) => Promise<unknown>> = {};
  for (const method of service.methods) {
    const fn = impl[method.localName];
    if (!fn) throw new Error(`${service.typeName}.${method.name} has no implementation`);
    out[method.localName] = async (req, ctx) => {
      const info = {
        service: service.typeName,
        method: method.name,
        requestId: ctx.values.get(requestIdKey),
        clientName: ctx.values.get(clientNameKey),
        headers: ctx.requestHeader,
        signal: ctx.signal,
      };
      try {
        return await pipeline.run(info, (call) => fn(req, call));
      } catch (err) {
        throw err instanceof KmsError ? toConnectError(err) : err;
      }
    };
  }
  return out;
}
