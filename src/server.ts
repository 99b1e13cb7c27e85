import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { Logger } from "pino";
import {
  armHttp1Timeouts,
  capConnections,
  clientErrorReply,
  DEFAULT_LIMITS,
  http1ServerOptions,
  type ListenerLimits,
  limitIdleSession,
  limitRoutedStream,
  limitStreamRequest,
} from "./listener-limits.js";
import type { Handler, StreamRouter } from "./edge/http.js";

export interface ListenerOptions {
  host: string;
  port: number;
  /**
   * PEM certificate chain and key: serve TLS with ALPN h2 and http/1.1. With `clientCa`, client
   * certificates are requested and verified against it, but not required (a client may use a
   * bearer token instead); `verifiedClientName` reads the outcome per request.
   */
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer | undefined } | undefined;
  handler: Handler;
  /** HTTP/2 streams this router accepts bypass `handler` (see {@link StreamRouter}). */
  streamRouter?: StreamRouter | undefined;
  logger: Logger;
  /** Timeouts and caps against clients that stall or flood (default {@link DEFAULT_LIMITS}). */
  limits?: ListenerLimits | undefined;
}

export interface Listener {
  readonly port: number;
  /** Requests started and not yet finished. */
  inFlight(): number;
  /**
   * Stops accepting, lets in-flight requests finish for up to `graceMs`, sends HTTP/2 GOAWAY
   * and closes idle HTTP/1.1 connections, then destroys whatever is left.
   */
  close(graceMs: number): Promise<void>;
}

const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * The one listener (README.md: "One port serves"): HTTP/1.1 and cleartext HTTP/2 with prior knowledge on
 * the same port — the first bytes are sniffed for the HTTP/2 connection preface — or, with a
 * certificate, TLS where ALPN picks h2 or http/1.1.
 *
 * Every raw socket gets an `error` handler before the hand-off: a client that resets the
 * connection before sending a byte must not take the process down.
 */
export async function startListener(opts: ListenerOptions): Promise<Listener> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  let active = 0;
  let draining = false;
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  const handler: Handler = (req, res) => {
    active++;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        active--;
      }
    };
    res.on("close", finish);
    res.on("finish", finish);
    if (draining && "shouldKeepAlive" in res) res.shouldKeepAlive = false;
    if (req instanceof http2.Http2ServerRequest) limitStreamRequest(req, res as http2.Http2ServerResponse, limits);
    opts.handler(req, res);
  };

  const h2 = opts.tls
    ? http2.createSecureServer(
        {
          cert: opts.tls.cert,
          key: opts.tls.key,
          allowHTTP1: true,
          settings: { maxConcurrentStreams: limits.maxConcurrentStreams },
          handshakeTimeout: limits.headersTimeoutMs,
          ...(opts.tls.clientCa ? { ca: opts.tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
        },
        handler,
      )
    : http2.createServer({ settings: { maxConcurrentStreams: limits.maxConcurrentStreams } }, handler);
  if (opts.streamRouter) {
    routeStreams(h2, opts.streamRouter, opts.logger, (stream) => {
      active++;
      stream.once("close", () => active--);
      limitRoutedStream(stream, limits);
    });
  }
  // HTTP/1.1 over TLS is served by the HTTP/2 server itself, which listens and so checks these.
  if (opts.tls) Object.assign(h2, http1ServerOptions(limits));
  const h1 = http.createServer(http1ServerOptions(limits), handler);
  h1.keepAliveTimeout = 5_000;
  armHttp1Timeouts(h1);
  for (const s of [h1, h2] as const) s.on("error", (err) => opts.logger.warn({ err }, "server error"));
  // A listener replaces Node's default, so it must close the socket itself: answer malformed
  // HTTP/1.1 with 400 and a request or header timeout with 408 (unless a response has begun),
  // then close; just drop a peer that already went away.
  h1.on("clientError", (err: NodeJS.ErrnoException, socket: net.Socket) => {
    // The response in progress on this socket, as Node's own handler reads it (`socketOnError`).
    const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (err.code === "ECONNRESET" || !socket.writable || started) socket.destroy();
    else socket.end(clientErrorReply(err.code), () => socket.destroy());
  });
  h2.on("session", (session) => {
    sessions.add(session);
    limitIdleSession(session, limits);
    session.on("error", () => {});
    session.on("close", () => sessions.delete(session));
  });

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  };

  let server: net.Server;
  if (opts.tls) {
    server = h2 as unknown as net.Server;
    h2.on("connection", track);
    h2.on("secureConnection", (s: net.Socket) => s.on("error", () => {}));
    h2.on("tlsClientError", () => {});
  } else {
    server = net.createServer((socket) => {
      track(socket);
      sniff(socket, limits.headersTimeoutMs, (isH2) => (isH2 ? h2 : h1).emit("connection", socket));
    });
  }
  capConnections(server, limits, opts.logger);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  return {
    port: address.port,
    inFlight: () => active,
    async close(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      h1.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (active > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        h1.closeIdleConnections();
      }
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/**
 * Node emits each new HTTP/2 stream as the server's `stream` event, and its compatibility layer is
 * a listener of that event; a listener cannot stop the others, so the hook sits on `emit`: a
 * stream the router accepts is served by it and never emitted.
 */
function routeStreams(
  server: http2.Http2Server | http2.Http2SecureServer,
  router: StreamRouter,
  logger: Logger,
  track: (stream: http2.ServerHttp2Stream) => void,
): void {
  const emit = server.emit.bind(server);
  server.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === "stream") {
      const [stream, headers] = args as [http2.ServerHttp2Stream, http2.IncomingHttpHeaders];
      if (router.accepts(headers)) {
        track(stream);
        // A throw here would be an uncaught exception (Node emits streams from its own tick):
        // it costs the one stream, never the process.
        try {
          router.serve(stream, headers);
        } catch (err) {
          logger.error({ err }, "stream router failed");
          stream.on("error", () => {});
          stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        }
        return true;
      }
    }
    return emit(event, ...args);
  }) as typeof server.emit;
}

/**
 * Reads just enough of the first bytes to tell HTTP/2 prior knowledge from HTTP/1.x, then puts them
 * back. A connection that does not send them within `timeoutMs` is closed.
 */
function sniff(socket: net.Socket, timeoutMs: number, dispatch: (isH2: boolean) => void): void {
  let seen = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, H2_PREFACE.length);
    const matches = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (matches && n < H2_PREFACE.length) return;
    clearTimeout(timer);
    socket.off("data", onData);
    socket.pause();
    socket.unshift(seen);
    dispatch(matches);
    if (!matches) socket.resume();
  };
  socket.on("data", onData);
}
