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
