import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  fromBinary,
  isMessage,
  type MessageInitShape,
  type MessageShape,
  toBinary,
} from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { checkBinaryMessage } from "../api/request-check.js";

/**
 * A protobuf-es message — or its init object, as the implementations return them and as
 * connect-node accepts them — as a Buffer, without copying its bytes (grpc-js frames Buffers).
 */
function encode(schema: DescMessage) {
  return (message: MessageInitShape<DescMessage>): Buffer => {
    const bytes = toBinary(schema, isMessage(message, schema) ? message : create(schema, message));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/**
 * A grpc-js method definition for one method of a generated descriptor: the same messages the
 * Connect stack uses, no proto-loader at run time. Requests stay raw bytes here and are parsed by
 * the handler with {@link parseRequest}: grpc-js answers a deserializer's exception with INTERNAL,
 * while a malformed request is the caller's fault (INVALID_ARGUMENT).
 */
export function methodDefinition(method: DescMethod): grpc.MethodDefinition<Buffer, MessageInitShape<DescMessage>> {
  return {
    path: `/${method.parent.typeName}/${method.name}`,
    requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
    responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
    requestSerialize: (bytes: Buffer) => bytes,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: encode(method.output),
    responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
    originalName: method.localName,
  };
}

/** Every method of `service`, keyed by its local name (as grpc-js `addService` expects). */
export function serviceDefinition(service: DescService): grpc.ServiceDefinition {
  return Object.fromEntries(service.methods.map((m) => [m.localName, methodDefinition(m)]));
}

/** The paths (`/package.Service/Method`) of `service`'s methods. */
export function servicePaths(service: DescService): string[] {
  return service.methods.map((m) => `/${service.typeName}/${m.name}`);
}

/**
 * Parses a request message as strictly as the Connect stack does (`src/api/request-check.ts`):
 * bytes that are not a valid encoding of `schema` — malformed, an unknown field, a wrong wire
 * type, a string that is not UTF-8, a `__proto__` map key — are the caller's mistake and become
 * `InvalidArgument`, never `Internal` and never silently ignored.
 */
export function parseRequest<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  return checkBinaryMessage(schema, bytes);
}
