import type { DescFile, DescMessage, MessageShape } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { createReflection, type ReflectionStream } from "../api/reflection.js";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { openCall } from "./call-scope.js";
import { parseRequest } from "./definition.js";
import { toGrpcStatus } from "./status.js";

async function* parsed<Desc extends DescMessage>(
  schema: Desc,
  requests: AsyncIterable<Buffer>,
): AsyncGenerator<MessageShape<Desc>> {
  for await (const bytes of requests) yield parseRequest(schema, bytes);
}

/**
 * One reflection stream on grpc-js: requests are parsed as they arrive and each is answered in
 * order by the stack-free answers (`src/api/reflection.ts`); the stream ends when the client
 * half-closes. A request that does not parse ends the stream with INVALID_ARGUMENT.
 */
function bidi<Desc extends DescMessage>(
  schema: Desc,
  answer: ReflectionStream<MessageShape<Desc>, unknown>,
): grpc.handleBidiStreamingCall<Buffer, unknown> {
  return (call) => {
    const scope = openCall(call);
    void (async () => {
      try {
        // Not `for await (… of call)`: ending that loop destroys the stream before the status is sent.
        const requests = call.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
        for await (const response of answer(parsed(schema, requests))) call.write(response);
        call.end();
      } catch (err) {
        if (!call.cancelled) call.emit("error", toGrpcStatus(err));
      } finally {
        scope.end();
      }
    })();
  };
}

/** `grpc.reflection.v1` and `v1alpha` on grpc-js, over one index of `files` (no credentials needed). */
export function grpcReflectionServices(files: DescFile[]): {
  v1: grpc.UntypedServiceImplementation;
  v1alpha: grpc.UntypedServiceImplementation;
} {
  const answers = createReflection(files);
  return {
    v1: { serverReflectionInfo: bidi(v1.ServerReflectionRequestSchema, answers.v1) },
    v1alpha: { serverReflectionInfo: bidi(v1alpha.ServerReflectionRequestSchema, answers.v1alpha) },
  };
}
