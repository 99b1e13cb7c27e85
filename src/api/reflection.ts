import { create, type DescEnum, type DescFile, type DescMessage, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import { file_grpc_health_v1_health } from "../../gen/grpc/health/v1/health_pb.js";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";

/** gRPC status codes used inside `error_response`; the reflection proto carries them as plain ints. */
const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

/**
 * The one answer shape shared by v1 and v1alpha: their messages differ only in package name, so
 * the logic builds this plain init object and each version's handler wraps it with its own schema.
 */
type ReflectionAnswer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

type ReflectionRequest = v1.ServerReflectionRequest | v1alpha.ServerReflectionRequest;

interface ReflectionIndex {
  readonly services: readonly string[];
  /** Keyed by the proto path ("kms/v1/types.proto"), not `DescFile.name`, which drops ".proto". */
  readonly files: ReadonlyMap<string, DescFile>;
  readonly symbols: ReadonlyMap<string, DescFile>;
  /** Full names of message types, the only valid targets of `all_extension_numbers_of_type`. */
  readonly messages: ReadonlySet<string>;
  /** Extendee full name → extension field number → declaring file. */
  readonly extensions: ReadonlyMap<string, ReadonlyMap<number, DescFile>>;
}

function buildIndex(served: readonly DescFile[]): ReflectionIndex {
  const files = new Map<string, DescFile>();
  const symbols = new Map<string, DescFile>();
  const messages = new Set<string>();
  const extensions = new Map<string, Map<number, DescFile>>();

  const addExtensions = (file: DescFile, list: DescFile["extensions"]) => {
    for (const ext of list) {
      symbols.set(ext.typeName, file);
      let byNumber = extensions.get(ext.extendee.typeName);
      if (byNumber === undefined) {
        byNumber = new Map();
        extensions.set(ext.extendee.typeName, byNumber);
      }
      byNumber.set(ext.number, file);
    }
  };
  const addEnum = (file: DescFile, desc: DescEnum) => {
    symbols.set(desc.typeName, file);
    // Enum values are scoped as siblings of their enum (C++ scoping rules), not as its children.
    const scope = desc.typeName.slice(0, desc.typeName.lastIndexOf(".") + 1);
    for (const value of desc.values) {
      symbols.set(scope + value.name, file);
    }
  };
  const addMessage = (file: DescFile, desc: DescMessage) => {
    symbols.set(desc.typeName, file);
    messages.add(desc.typeName);
    for (const member of [...desc.fields, ...desc.oneofs]) {
      symbols.set(`${desc.typeName}.${member.name}`, file);
    }
    for (const nested of desc.nestedMessages) addMessage(file, nested);
    for (const nested of desc.nestedEnums) addEnum(file, nested);
    addExtensions(file, desc.nestedExtensions);
  };
  const addFile = (file: DescFile) => {
    if (files.has(file.proto.name)) {
      return;
    }
    files.set(file.proto.name, file);
    for (const service of file.services) {
      symbols.set(service.typeName, file);
      for (const method of service.methods) {
        symbols.set(`${service.typeName}.${method.name}`, file);
      }
    }
    for (const message of file.messages) addMessage(file, message);
    for (const desc of file.enums) addEnum(file, desc);
    addExtensions(file, file.extensions);
    for (const dependency of file.dependencies) addFile(dependency);
  };
  for (const file of served) addFile(file);

  return {
    services: [...new Set(served.flatMap((file) => file.services.map((service) => service.typeName)))],
    files,
    symbols,
    messages,
    extensions,
  };
}

/**
 * The file first, then every file it imports, transitively, each once. Clients such as grpcurl
 * and `buf curl` build a descriptor pool from the reply and fail on any import they were not given,
 * so this always sends the full closure instead of relying on earlier replies in the stream.
 */
function withDependencies(file: DescFile): ReflectionAnswer {
  const seen = new Set<DescFile>();
  const visit = (current: DescFile) => {
    if (seen.has(current)) return;
    seen.add(current);
    for (const dependency of current.dependencies) visit(dependency);
  };
  visit(file);
  return {
    case: "fileDescriptorResponse",
    value: { fileDescriptorProto: [...seen].map((f) => toBinary(FileDescriptorProtoSchema, f.proto)) },
  };
}

function notFound(what: string, name: string): ReflectionAnswer {
  return { case: "errorResponse", value: { errorCode: NOT_FOUND, errorMessage: `${what} not found: ${name}` } };
}

function answer(index: ReflectionIndex, request: ReflectionRequest): ReflectionAnswer {
  const { messageRequest } = request;
  switch (messageRequest.case) {
    case "listServices":
      return { case: "listServicesResponse", value: { service: index.services.map((name) => ({ name })) } };
    case "fileByFilename": {
      const file = index.files.get(messageRequest.value);
      return file ? withDependencies(file) : notFound("file", messageRequest.value);
    }
    case "fileContainingSymbol": {
      const file = index.symbols.get(messageRequest.value);
      return file ? withDependencies(file) : notFound("symbol", messageRequest.value);
    }
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = messageRequest.value;
      const file = index.extensions.get(containingType)?.get(extensionNumber);
      return file ? withDependencies(file) : notFound("extension", `${containingType}(${extensionNumber})`);
    }
    case "allExtensionNumbersOfType": {
      const typeName = messageRequest.value;
      if (!index.messages.has(typeName)) {
        return notFound("message type", typeName);
      }
      const numbers = [...(index.extensions.get(typeName)?.keys() ?? [])];
      return { case: "allExtensionNumbersResponse", value: { baseTypeName: typeName, extensionNumber: numbers } };
    }
    case undefined:
      return {
        case: "errorResponse",
        value: { errorCode: INVALID_ARGUMENT, errorMessage: "message_request is not set or not supported" },
      };
  }
}

async function* answerEach<Req extends ReflectionRequest, Res>(
  index: ReflectionIndex,
  requests: AsyncIterable<Req>,
  toResponse: (init: { validHost: string; originalRequest: Req; messageResponse: ReflectionAnswer }) => Res,
): AsyncGenerator<Res> {
  for await (const request of requests) {
    yield toResponse({ validHost: request.host, originalRequest: request, messageResponse: answer(index, request) });
  }
}

/** Answers a reflection stream of one protocol version, free of any RPC stack. */
export type ReflectionStream<Req, Res> = (requests: AsyncIterable<Req>) => AsyncGenerator<Res>;

/** Reflection's two versions over one index (Connect here, grpc-js in `src/grpc/reflection.ts`). */
export interface ReflectionAnswers {
  v1: ReflectionStream<v1.ServerReflectionRequest, v1.ServerReflectionResponse>;
  v1alpha: ReflectionStream<v1alpha.ServerReflectionRequest, v1alpha.ServerReflectionResponse>;
}

/**
 * Serves gRPC server reflection (https://github.com/grpc/grpc/blob/master/doc/server-reflection.md)
 * so that grpcurl, `buf curl`, Postman and friends can call the server without a copy of its protos.
 *
 * Both `grpc.reflection.v1` and `grpc.reflection.v1alpha` are served because clients differ in
 * which they try (`buf curl` tries v1 then falls back; older grpcurl only speaks v1alpha); one
 * implementation answers both. `files` are the files whose services this server exposes; the
 * reflection and health protos are added here since health is always mounted beside
 * reflection. `google/rpc/error_details.proto` is indexed too: every error carries a
 * `google.rpc.ErrorInfo` inside `grpc-status-details-bin` (a `google.rpc.Status` whose details are
 * `Any`s), and grpcurl and `buf curl` resolve an `Any`'s type by asking reflection for the file
 * containing it — without this file they can print the detail only as base64. Lookups that miss answer with an in-stream `error_response` (NOT_FOUND), as the spec
 * requires, so one bad lookup does not end a client's session.
 *
 * The index is built once here: descriptors are fixed for the life of the process.
 */
export function createReflection(files: DescFile[]): ReflectionAnswers {
  const index = buildIndex([
    ...files,
    file_google_rpc_error_details,
    file_grpc_health_v1_health,
    v1.file_grpc_reflection_v1_reflection,
    v1alpha.file_grpc_reflection_v1alpha_reflection,
  ]);
  return {
    v1: (requests) => answerEach(index, requests, (init) => create(v1.ServerReflectionResponseSchema, init)),
    v1alpha: (requests) => answerEach(index, requests, (init) => create(v1alpha.ServerReflectionResponseSchema, init)),
  };
}

/** Mounts {@link createReflection} on a Connect router. */
export function registerReflection(router: ConnectRouter, files: DescFile[]): void {
  const answers = createReflection(files);
  router.service(v1.ServerReflection, { serverReflectionInfo: answers.v1 });
  router.service(v1alpha.ServerReflection, { serverReflectionInfo: answers.v1alpha });
}
