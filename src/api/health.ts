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

/** The answers of `grpc.health.v1.Health`, free of any RPC stack (Connect here, grpc-js in `src/grpc/health.ts`). */
export interface HealthAnswers {
  /** The status of `service`, or undefined for a name this server does not know (NOT_FOUND on the wire). */
  check(service: string): HealthCheckResponse | undefined;
  watch(service: string, signal: AbortSignal): AsyncGenerator<HealthCheckResponse>;
  list(): { statuses: Record<string, HealthCheckResponse> };
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
export function createHealth(state: ServingState): HealthAnswers {
  return {
    check: (service) => (KNOWN_SERVICES.includes(service) ? response(toGrpcStatus(state.status)) : undefined),
    watch: (service, signal) =>
      KNOWN_SERVICES.includes(service) ? watchKnown(state, signal) : watchUnknown(state, signal),
    list() {
      const status = response(toGrpcStatus(state.status));
      return { statuses: Object.fromEntries(KNOWN_SERVICES.map((name) => [name, status])) };
    },
  };
}

/** The message of Check's NOT_FOUND, the same on every stack. */
export function unknownHealthService(service: string): string {
  return `unknown service ${JSON.stringify(service)}`;
}

/** Mounts {@link createHealth} on a Connect router. */
export function registerHealth(router: ConnectRouter, state: ServingState): void {
  const health = createHealth(state);
  router.service(Health, {
    check(request) {
      const answer = health.check(request.service);
      if (!answer) throw new ConnectError(unknownHealthService(request.service), Code.NotFound);
      return answer;
    },
    watch: (request, context) => health.watch(request.service, context.signal),
    list: () => health.list(),
  });
}
