import * as grpc from "@grpc/grpc-js";
import { requestIdFrom } from "../edge/request-id.js";

/** What every grpc-js call shares, whatever its kind (grpc-js does not export this type). */
type SurfaceCall = Pick<grpc.ServerUnaryCall<unknown, unknown>, "metadata" | "sendMetadata" | "cancelled"> &
  NodeJS.EventEmitter;

/**
 * The request header through which the stream router hands a verified client certificate's common
 * name to the call. The router deletes whatever a client sent under this name before setting it,
 * so only the TLS layer's verdict can reach authentication.
 */
export const VERIFIED_CLIENT_HEADER = "x-kms-verified-client";

/** One call's request id, abort signal, request headers and verified client name. */
export interface CallScope {
  requestId: string;
  signal: AbortSignal;
  headers: Headers;
  clientName: string | undefined;
  /** Stops listening for cancellation: call once the answer is handed to grpc-js. */
  end(): void;
}

/**
 * Opens a grpc-js call the way the listener opens every other request: its request id is fixed
 * (the caller's well-formed `x-request-id`, else a new UUID) and sent at once as the `x-request-id`
 * response header, so that successes and errors carry it alike. The signal aborts when the client
 * cancels, disconnects or its deadline (`grpc-timeout`) passes — grpc-js then answers
 * DEADLINE_EXCEEDED or CANCELLED itself and ignores a later answer. grpc-js also reports
 * cancellation after a call that ended normally, so `end` stops listening first.
 */
export function openCall(call: SurfaceCall): CallScope {
  const requestId = requestIdFrom(call.metadata.get("x-request-id")[0]);
  const response = new grpc.Metadata();
  response.set("x-request-id", requestId);
  call.sendMetadata(response);

  // The AbortController is made only when something asks for the signal (a key-pair generation,
  // an error being classified): a success that never looks at it would pay several microseconds
  // for it on every call (bench/REPORT.md).
  let controller: AbortController | undefined;
  let cancelled = call.cancelled;
  const cancel = () => {
    cancelled = true;
    controller?.abort();
  };
  if (!cancelled) call.once("cancelled", cancel);

  const headers = new Headers();
  let clientName: string | undefined;
  for (const [name, value] of Object.entries(call.metadata.getMap())) {
    if (typeof value !== "string") continue;
    if (name === VERIFIED_CLIENT_HEADER) clientName = decodeURIComponent(value);
    else headers.set(name, value);
  }
  return {
    requestId,
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (cancelled) controller.abort();
      }
      return controller.signal;
    },
    headers,
    clientName,
    end: () => call.off("cancelled", cancel),
  };
}
