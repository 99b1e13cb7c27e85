import { create } from "@bufbuild/protobuf";
import { Code, type ConnectRouter, ConnectError } from "@connectrpc/connect";
import {
  Health,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "../../gen/grpc/health/v1/health_pb.js";
import { AdminService } from "../../gen/kms/v1/admin_service_pb.js";
import { CryptoService } from "../../gen/kms/v1/crypto_service_pb.js";
import { DataKeyService } from "../../gen/kms/v1/data_key_service_pb.js";
import { KeyService } from "../../gen/kms/v1/key_service_pb.js";
import type { ServingState, ServingStatus } from "../edge/serving-state.js";

/**
 * Names a health client may ask about: "" means the server as a whole (gRPC health spec), and
 * every KMS service shares the process's status because they are served by one core.
 */
const KNOWN_SERVICES: readonly string[] = [
  "",
  KeyService.typeName,
  DataKeyService.typeName,
  CryptoService.typeName,
  AdminService.typeName,
];

function toGrpcStatus(status: ServingStatus): HealthCheckResponse_ServingStatus {
  return status === "SERVING"
    ? HealthCheckResponse_ServingStatus.SERVING
    : HealthCheckResponse_ServingStatus.NOT_SERVING;
}

function response(status: HealthCheckResponse_ServingStatus): HealthCheckResponse {
  return create(HealthCheckResponseSchema, { status });
}

/**
 * Resolves on the next status change or when the call ends, whichever comes first. The promise
 * executor runs synchronously, so no change can slip in between reading the status and waiting.
 */
function nextChange(state: ServingState, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      unsubscribe();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const unsubscribe = state.onChange(done);
    signal.addEventListener("abort", done);
  });
}

async function* watchKnown(state: ServingState, signal: AbortSignal): AsyncGenerator<HealthCheckResponse> {
  let sent: HealthCheckResponse_ServingStatus | undefined;
  while (!signal.aborted) {
    const current = toGrpcStatus(state.status);
    if (current !== sent) {
      sent = current;
      yield response(current);
      if (state.status === "DRAINING") return;
      continue;
    }
    await nextChange(state, signal);
  }
}

async function* watchUnknown(state: ServingState, signal: AbortSignal): AsyncGenerator<HealthCheckResponse> {
  yield response(HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN);
  // The set of services is fixed for the life of the process, so it never becomes known; hold the
  // stream open (the spec tells clients to treat any end of a Watch as a reason to retry) until
  // the call ends or the server drains.
  while (!signal.aborted && state.status !== "DRAINING") await nextChange(state, signal);
}

/**
 * Serves `grpc.health.v1.Health` from `state`, following
 * https://github.com/grpc/grpc/blob/master/doc/health-checking.md:
 *
 * - `Check` answers for "" (the whole server) and each `kms.v1` service; any other name fails with
 *   `NOT_FOUND`, as the spec requires, so a typo in a probe's config is loud rather than "healthy".
 * - `Watch` sends the current status at once and then every change until the client cancels. A
 *   STARTING→DRAINING move is not a change on the wire (both are `NOT_SERVING`) and is not sent.
 *   Changes that happen while a message is still being written are coalesced into the latest
 *   status, as grpc-go's health server does. An unknown name gets `SERVICE_UNKNOWN` and the stream
 *   stays open, per the spec.
 * - `List` reports every known name.
 *
 * Watch streams end when the server starts draining (after sending `NOT_SERVING`), so that a
 * graceful shutdown never waits on them; clients re-watch and find the next instance.
 */
export function registerHealth(router: ConnectRouter, state: ServingState): void {
  router.service(Health, {
    check(request) {
      if (!KNOWN_SERVICES.includes(request.service)) {
        throw new ConnectError(`unknown service ${JSON.stringify(request.service)}`, Code.NotFound);
      }
      return response(toGrpcStatus(state.status));
    },
    watch(request, context) {
      return KNOWN_SERVICES.includes(request.service)
        ? watchKnown(state, context.signal)
        : watchUnknown(state, context.signal);
    },
    list() {
      const status = response(toGrpcStatus(state.status));
      return { statuses: Object.fromEntries(KNOWN_SERVICES.map((name) => [name, status])) };
    },
  });
}
