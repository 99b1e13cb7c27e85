import type http from "node:http";
import http2 from "node:http2";
import type net from "node:net";
import type { Logger } from "pino";

/**
 * What one listener grants a client before it must make progress, and how many it serves at once
 * (`KMS_HEADERS_TIMEOUT_MS`, `KMS_REQUEST_TIMEOUT_MS`, `KMS_IDLE_TIMEOUT_MS`,
 * `KMS_MAX_CONCURRENT_STREAMS`, `KMS_MAX_CONNECTIONS`; see docs/operations.md). Without them a
 * client that opens connections or streams and then stalls holds sockets, memory and file
 * descriptors for as long as it likes, until legitimate callers are refused.
 */
export interface ListenerLimits {
  /** A new connection's first request, and every HTTP/1.1 request's headers, must arrive within this. */
  headersTimeoutMs: number;
  /** A whole request, headers and body, must arrive within this (HTTP/1.1 and each HTTP/2 stream). */
  requestTimeoutMs: number;
  /** An HTTP/2 session with no open stream and no traffic for this long is closed (GOAWAY). */
  idleTimeoutMs: number;
  /** HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS`: streams beyond it are refused (`REFUSED_STREAM`). */
  maxConcurrentStreams: number;
  /** Open connections beyond this are closed as soon as they are accepted. */
  maxConnections: number;
}

export const DEFAULT_LIMITS: ListenerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  maxConcurrentStreams: 128,
  maxConnections: 900,
};

/** The HTTP/1.1 server's header and request timeouts, and how often Node checks them. */
export function http1ServerOptions(limits: ListenerLimits): http.ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // A timeout fires up to this much after it expires.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/**
 * Starts Node's own check of the HTTP/1.1 header and request timeouts. Node starts it only when the
 * server itself listens; this server never does (the one listener hands it sockets), so the check
 * is started through the event that would have started it (`setupConnectionsTracking` in Node's
 * `lib/_http_server.js`). An expired request reaches `clientError` as `ERR_HTTP_REQUEST_TIMEOUT`.
 */
export function armHttp1Timeouts(h1: http.Server): void {
  h1.emit("listening");
}

/** The canned reply to an HTTP/1.1 request Node's parser refused, by its error code (as Node's own). */
export function clientErrorReply(code: string | undefined): string {
  const status =
    code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? "408 Request Timeout"
      : code === "HPE_HEADER_OVERFLOW"
        ? "431 Request Header Fields Too Large"
        : "400 Bad Request";
  return `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

/**
 * Closes an HTTP/2 session once it has had no open stream and no traffic for `idleTimeoutMs`.
 * A session with an open stream (a health `Watch`, a call in progress) is left alone: the timer
 * fires again after its next activity.
 */
export function limitIdleSession(session: http2.Http2Session, limits: ListenerLimits): void {
  let open = 0;
  session.on("stream", (stream: http2.ServerHttp2Stream) => {
    open++;
    stream.once("close", () => open--);
  });
  session.setTimeout(limits.idleTimeoutMs, () => {
    if (open === 0) session.close();
  });
}

/**
 * Resets an HTTP/2 stream (`CANCEL`) whose request body is not complete within
 * `requestTimeoutMs` of its headers — Node has no such timeout for HTTP/2 streams. A request
 * answered, read to its end or sent without a body is never reset.
 */
export function limitStreamRequest(
  req: http2.Http2ServerRequest,
  res: http2.Http2ServerResponse,
  limits: ListenerLimits,
): void {
  armRequestTimeout(req.stream, limits, (clear) => {
    req.once("end", clear);
    res.once("finish", clear);
  });
}

/**
 * {@link limitStreamRequest} for a stream served below the request layer (`StreamRouter` in
 * `server.ts`): the same timeout, cleared when the stream is read to its end or answered.
 */
export function limitRoutedStream(stream: http2.ServerHttp2Stream, limits: ListenerLimits): void {
  armRequestTimeout(stream, limits, (clear) => {
    stream.once("end", clear);
    stream.once("finish", clear);
  });
}

function armRequestTimeout(
  stream: http2.ServerHttp2Stream,
  limits: ListenerLimits,
  clearOn: (clear: () => void) => void,
): void {
  if (stream.endAfterHeaders) return;
  const timer = setTimeout(() => {
    if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
  }, limits.requestTimeoutMs);
  timer.unref();
  const clear = () => clearTimeout(timer);
  clearOn(clear);
  stream.once("close", clear);
}

/**
 * Caps the open connections of the outer server (`net.Server.maxConnections`: Node closes a
 * connection past the cap as soon as it is accepted), keeping file descriptors for the database
 * and the calls already being served. Refusals are logged at most once per `LOG_EVERY_MS`.
 */
export function capConnections(server: net.Server, limits: ListenerLimits, logger: Logger): void {
  server.maxConnections = limits.maxConnections;
  let dropped = 0;
  let lastLog = 0;
  server.on("drop", () => {
    dropped++;
    const now = Date.now();
    if (now - lastLog < LOG_EVERY_MS) return;
    lastLog = now;
    logger.warn({ dropped, maxConnections: limits.maxConnections }, "connection cap reached; refusing connections");
    dropped = 0;
  });
}

const LOG_EVERY_MS = 10_000;
