import type { DescService } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import type { Call, Pipeline } from "../edge/pipeline.js";
import { openCall } from "./call-scope.js";
import { parseRequest } from "./definition.js";
import { toGrpcStatus } from "./status.js";

/** Unary implementations by method local name: a `CallImpl` of one service, its types erased. */
export type UnaryMethods = Readonly<Record<string, ((req: unknown, call: Call) => unknown) | undefined>>;

/** Which stack served a call, in its log line (see `CallInfo.stack`). */
export const GRPC_JS_STACK = "grpc-js";

/**
 * grpc-js handlers for the same transport-free implementations the Connect stack serves
 * (`src/api/wrap-service.ts`): each call is parsed, then runs through the one {@link Pipeline}
 * (authentication, audit, request id, metrics, logging, error mapping); a KmsError goes out with
 * the same code and `ErrorInfo` as on Connect. A request that does not parse is refused with
 * INVALID_ARGUMENT before the pipeline, as connect-node refuses it before the implementation.
 */
export function grpcUnaryService(
  service: DescService,
  impl: UnaryMethods,
  pipeline: Pipeline,
): grpc.UntypedServiceImplementation {
  const out: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const fn = impl[method.localName];
    if (!fn) throw new Error(`${service.typeName}.${method.name} has no implementation`);
    const handler: grpc.handleUnaryCall<Buffer, unknown> = (call, callback) => {
      const scope = openCall(call);
      const answer = async () => {
        const request = parseRequest(method.input, call.request);
        const info = {
          service: service.typeName,
          method: method.name,
          requestId: scope.requestId,
          clientName: scope.clientName,
          headers: scope.headers,
          // A getter, so that the scope's signal is made only when the call looks at it.
          get signal() {
            return scope.signal;
          },
          stack: GRPC_JS_STACK,
        };
        return pipeline.run(info, async (c) => fn(request, c));
      };
      answer().then(
        (response) => {
          scope.end();
          callback(null, response);
        },
        (err: unknown) => {
          scope.end();
          callback(toGrpcStatus(err));
        },
      );
    };
    out[method.localName] = handler;
  }
  return out;
}
