import { Code, type ContextValues, ConnectError } from "@connectrpc/connect";
import type { UniversalServerRequest } from "@connectrpc/connect/protocol";
import type { HttpRequest, HttpResponse } from "../edge/http.js";
import { onClientGone } from "../edge/client-gone.js";
import { nodeHeadersToWeb } from "../edge/web-headers.js";

/**
 * A Node.js request as connect-node's handlers take it — what connect-node's
 * `universalRequestFromNodeRequest` makes, but with a signal that aborts only when the client goes
 * away before its answer is complete.
 *
 * connect-node aborts the request's signal at every close, also after a call was answered. Each
 * such abort built a DOMException and ran two abort events through connect's linked signals, on
 * every Connect, gRPC-Web and connect-node gRPC call, for a call already over (bench/REPORT.md).
 * The body is the request stream itself, which connect-node's own only wraps in an async generator.
 */
export function universalRequest(
  req: HttpRequest,
  res: HttpResponse,
  contextValues: ContextValues,
): UniversalServerRequest {
  const authority = "authority" in req ? req.authority : req.headers.host;
  if (authority === undefined) {
    throw new ConnectError("unable to determine request authority from Node.js server request", Code.Internal);
  }
  const encrypted = "encrypted" in req.socket && req.socket.encrypted;
  const controller = new AbortController();
  onClientGone(req, res, (cancelled) =>
    controller.abort(
      new ConnectError("the client went away before its answer was complete", cancelled ? Code.Canceled : Code.Aborted),
    ),
  );
  return {
    httpVersion: req.httpVersion,
    method: req.method ?? "",
    url: new URL(req.url ?? "", `${encrypted ? "https" : "http"}://${authority}`).toString(),
    header: nodeHeadersToWeb(req.headers),
    body: req as AsyncIterable<Uint8Array>,
    signal: controller.signal,
    contextValues,
  };
}
