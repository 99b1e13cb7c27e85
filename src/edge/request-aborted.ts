import type { HttpRequest } from "./http.js";

/**
 * Did the client go away, or was it timed out, before its request body was complete? Such a
 * failure is the client's, not the service's: it is logged at debug, never as an error (a flood of
 * abandoned uploads must not bury real errors). Decided from the stream's state, not the error's
 * text: `readableAborted` is set when a request is destroyed before its end.
 */
export function requestAborted(req: HttpRequest): boolean {
  return req.readableAborted || (req.destroyed && !req.complete);
}
