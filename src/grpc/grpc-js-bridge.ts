import type http2 from "node:http2";
import * as grpc from "@grpc/grpc-js";

/**
 * The `@grpc/grpc-js` release this bridge was written against. package.json pins exactly this
 * version and `test/unit/grpc/grpc-js-bridge.test.ts` fails when the installed one differs or the
 * private method below is gone or no longer serves a stream: read that test before an upgrade.
 */
export const GRPC_JS_VERSION = "1.14.0";

/** grpc-js's per-stream entry point: `Server#_streamHandler(extraInterceptors, stream, headers)`. */
type PrivateStreamHandler = (
  this: grpc.Server,
  extraInterceptors: grpc.ServerInterceptor[],
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
) => void;

/** Serves one HTTP/2 stream with the methods registered on a grpc-js server, through `interceptors`. */
export type ServeStream = (
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  interceptors: grpc.ServerInterceptor[],
) => void;

/**
 * A grpc-js server that never listens: it only serves streams handed to it one by one, so that
 * gRPC shares the one port with every other protocol, split per HTTP/2 stream by content type.
 *
 * grpc-js has no public API that takes a single stream — `createConnectionInjector` takes whole
 * connections, and a connection here also carries gRPC-Web, Connect and the AWS endpoint — so this
 * calls the private `_streamHandler` that grpc-js itself attaches to its HTTP/2 servers' `stream`
 * event (grpc-js `src/server.ts`). It is the one private API used; a missing method stops
 * start-up with a message naming the fallback (`KMS_GRPC_SERVER=connect-node`).
 *
 * Channelz is off: it is the only thing grpc-js's other handler adds, it tracks sessions of
 * servers grpc-js owns (none here), and it costs every call.
 */
export function createStreamServer(options: grpc.ServerOptions = {}): { server: grpc.Server; serve: ServeStream } {
  const server = new grpc.Server({ ...options, "grpc.enable_channelz": 0 });
  const handler = (server as unknown as { _streamHandler?: unknown })._streamHandler;
  if (typeof handler !== "function") {
    throw new Error(
      `@grpc/grpc-js no longer has Server#_streamHandler (written for ${GRPC_JS_VERSION}); pin that version or set KMS_GRPC_SERVER=connect-node`,
    );
  }
  const streamHandler = handler as PrivateStreamHandler;
  return {
    server,
    serve: (stream, headers, interceptors) => streamHandler.call(server, interceptors, stream, headers),
  };
}
