import type http2 from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { KmsError } from "../domain/errors.js";
import { requestIdFrom } from "../edge/request-id.js";
import { toGrpcStatus } from "./status.js";

/**
 * Watches a gRPC request stream's length-prefixed frames (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md:
 * a 1-byte compressed flag, a 4-byte big-endian length, the message) and reports whether any frame
 * was flagged compressed. It only reads frame headers, beside grpc-js's own reader, before grpc-js
 * sees the same bytes.
 */
export function watchCompressedFlag(stream: http2.ServerHttp2Stream): () => boolean {
  let flagged = false;
  let headerAt = 0;
  let length = 0;
  let remaining = 0;
  const onData = (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length && !flagged) {
      if (remaining > 0) {
        const skip = Math.min(remaining, chunk.length - i);
        remaining -= skip;
        i += skip;
        continue;
      }
      const byte = chunk[i++] as number;
      if (headerAt === 0) {
        flagged = (byte & 1) === 1;
        length = 0;
      } else {
        length = length * 256 + byte;
      }
      if (++headerAt === 5) {
        headerAt = 0;
        remaining = length;
      }
    }
    if (flagged) stream.off("data", onData);
  };
  stream.on("data", onData);
  return () => flagged;
}

/**
 * The framing rules grpc-js leaves to the application or answers with codes of its own, checked
 * as the Connect stack checks them (`src/api/request-body.ts`): a unary or server-streaming request
 * carries exactly one message (grpc-js answers none or two with UNIMPLEMENTED), and a message
 * flagged compressed needs a `grpc-encoding` (grpc-js would read it as uncompressed; the listener
 * sends every request that names an encoding to connect-node). Each is the caller's mistake:
 * INVALID_ARGUMENT with ValidationException, and the handler never runs.
 */
export function framingInterceptor(flaggedCompressed: () => boolean): grpc.ServerInterceptor {
  return (method, call) => {
    let messages = 0;
    let refused = false;
    let requestId: string | undefined;
    const refuse = (message: string) => {
      refused = true;
      const headers = new grpc.Metadata();
      headers.set("x-request-id", requestId ?? requestIdFrom(undefined));
      call.sendMetadata(headers);
      call.sendStatus(toGrpcStatus(new KmsError("InvalidArgument", message)));
    };
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            requestId = requestIdFrom(metadata.get("x-request-id")[0]);
            nextMetadata(metadata);
          },
          onReceiveMessage: (message, nextMessage) => {
            if (refused) return;
            messages++;
            if (flaggedCompressed()) refuse("A message is flagged compressed, but the request names no grpc-encoding.");
            else if (!method.requestStream && messages > 1) refuse("This method takes exactly one request message.");
            else nextMessage(message);
          },
          onReceiveHalfClose: (nextHalfClose) => {
            if (refused) return;
            if (!method.requestStream && messages === 0) refuse("The request carries no message.");
            else nextHalfClose();
          },
        }),
    });
  };
}
