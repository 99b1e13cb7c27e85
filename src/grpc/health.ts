import type * as grpc from "@grpc/grpc-js";
import { createHealth, unknownHealthService } from "../api/health.js";
import type { ServingState } from "../edge/serving-state.js";
import { KmsError } from "../domain/errors.js";
import { HealthCheckRequestSchema, HealthListRequestSchema } from "../../gen/grpc/health/v1/health_pb.js";
import { openCall } from "./call-scope.js";
import { parseRequest } from "./definition.js";
import { toGrpcStatus } from "./status.js";

/** A unary grpc-js handler that needs no credentials: it answers from `answer(request bytes)`. */
function open(answer: (request: Buffer) => unknown): grpc.handleUnaryCall<Buffer, unknown> {
  return (call, callback) => {
    openCall(call).end();
    try {
      callback(null, answer(call.request));
    } catch (err) {
      callback(toGrpcStatus(err));
    }
  };
}

/**
 * `grpc.health.v1.Health` on grpc-js: a thin adapter over the same answers the Connect stack
 * serves (`src/api/health.ts`), needing no credentials there either. A Watch ends when the
 * client cancels (its signal) or the server drains (the answers' generator returns).
 */
export function grpcHealthService(state: ServingState): grpc.UntypedServiceImplementation {
  const health = createHealth(state);
  const watch: grpc.handleServerStreamingCall<Buffer, unknown> = (call) => {
    const scope = openCall(call);
    void (async () => {
      try {
        const { service } = parseRequest(HealthCheckRequestSchema, call.request);
        // Messages are a few bytes and sent only on a change of status: no backpressure to mind.
        for await (const answer of health.watch(service, scope.signal)) call.write(answer);
        call.end();
      } catch (err) {
        if (!call.cancelled) call.emit("error", toGrpcStatus(err));
      } finally {
        scope.end();
      }
    })();
  };
  return {
    check: open((bytes) => {
      const { service } = parseRequest(HealthCheckRequestSchema, bytes);
      const answer = health.check(service);
      if (!answer) throw new KmsError("NotFound", unknownHealthService(service));
      return answer;
    }),
    list: open((bytes) => {
      parseRequest(HealthListRequestSchema, bytes);
      return health.list();
    }),
    watch,
  };
}
