import { constants as h2 } from "node:http2";
import type { HttpRequest, HttpResponse } from "./http.js";

/**
 * Calls `gone` once if the client cancels or goes away before the answer was ended: an HTTP/2
 * stream that closes first (`cancelled`: the client reset it with CANCEL), an HTTP/1.1 request that
 * errors or whose connection closes first. A call's abort signal hangs on this, on every surface
 * served from Node's HTTP servers.
 *
 * "Ended" is `writableEnded` — the handler has called `end()` — not `writableFinished`: an HTTP/2
 * stream the client reset counts as finished, so that could not tell a cancel from an answer.
 * Nothing fires after a call was answered, so an answered call never pays for an abort.
 */
export function onClientGone(req: HttpRequest, res: HttpResponse, gone: (cancelled: boolean) => void): void {
  if ("stream" in req) {
    req.once("close", () => {
      if (!res.writableEnded) gone(req.stream.rstCode === h2.NGHTTP2_CANCEL);
    });
    return;
  }
  const closed = () => {
    req.off("error", closed);
    res.off("close", closed);
    if (!res.writableEnded) gone(false);
  };
  req.once("error", closed);
  res.once("close", closed);
}
