import type http from "node:http";
import type http2 from "node:http2";

/**
 * A request as either Node server hands it over: the listener (`src/server.ts`) serves HTTP/1.1
 * and HTTP/2 on one port, and the HTTP/2 compatibility API gives handlers the same shape.
 */
export type HttpRequest = http.IncomingMessage | http2.Http2ServerRequest;

/** The response matching {@link HttpRequest}. */
export type HttpResponse = http.ServerResponse | http2.Http2ServerResponse;

/** A request handler both the HTTP/1.1 and HTTP/2 (compat) servers can call. */
export type Handler = (req: HttpRequest, res: HttpResponse) => void;

/**
 * Serves some HTTP/2 streams itself, below the request/response layer: the listener
 * (`src/server.ts`) offers each new stream's headers to `accepts` before Node's compatibility layer
 * turns the stream into a request for the {@link Handler}; an accepted stream goes to `serve`
 * instead, counts as in flight until it closes (a drain waits for it as for any request), and has
 * the same request timeout.
 */
export interface StreamRouter {
  accepts(headers: http2.IncomingHttpHeaders): boolean;
  serve(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void;
}
