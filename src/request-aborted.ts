import type http from "node:http";
import type http2 from "node:http2";

/**
 * Did the client go away, or was it timed out, before its request body was complete? Such a
 * failure is the client's, not the service's: it is logged at debug, never as an error (a flood of
 * abandoned uploads must not bury real errors). Decided from the stream's state, not the error's
 * text: `readableAborted` is set when a request is destroyed before its end.
 */
export function requestAborted(req: http.IncomingMessage | http2.Http2ServerRequest): boolean {
  return req.readableAborted || (req.destroyed && !req.complete);
}
