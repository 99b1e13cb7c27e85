import type { DescFile, DescService } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import type { Pipeline } from "../edge/pipeline.js";
import type { ServingState } from "../edge/serving-state.js";
import type { CallImpl } from "../api/wrap-service.js";
import { verifiedSocketName } from "../edge/client-cert.js";
import type { StreamRouter } from "../edge/http.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { VERIFIED_CLIENT_HEADER } from "./call-scope.js";
import { serviceDefinition, servicePaths } from "./definition.js";
import { framingInterceptor, watchCompressedFlag } from "./framing.js";
import { createStreamServer } from "./grpc-js-bridge.js";
import { grpcHealthService } from "./health.js";
import { grpcReflectionServices } from "./reflection.js";
import { grpcUnaryService, type UnaryMethods } from "./unary-service.js";

/** `application/grpc` and `application/grpc+proto`, with or without parameters — not gRPC-Web, not `+json`. */
const GRPC_CONTENT_TYPE = /^application\/grpc(\+proto)?\s*(;|$)/i;

/**
 * Requests that name a compression go to connect-node, which checks compressed frames strictly:
 * grpc-js 1.14.0 leaves its gunzip/inflate stream without an `error` listener, so one frame of
 * bad gzip would be an uncaught exception. Uncompressed requests, the grpc-js clients' default,
 * stay on grpc-js.
 */
const IDENTITY = new Set<string | string[] | undefined>([undefined, "identity"]);

/** One kms.v1 service and its transport-free implementation (see {@link served}). */
export interface ServedService {
  service: DescService;
  impl: UnaryMethods;
}

/** A service with the same implementation `wrapService` serves on connect-node. */
export function served<S extends DescService>(service: S, impl: CallImpl<S>): ServedService {
  return { service, impl: impl as UnaryMethods };
}

export interface GrpcRouterOptions {
  services: readonly ServedService[];
  pipeline: Pipeline;
  serving: ServingState;
  /** The files whose services reflection lists (health and reflection are added). */
  reflectionFiles: DescFile[];
  /** The largest request message accepted, as on the Connect stack. */
  readMaxBytes: number;
}

/**
 * Routes `application/grpc` streams for the methods served here to a grpc-js server — the kms.v1
 * services through the same pipeline as on Connect, health and reflection from the same answers —
 * and leaves every other stream (gRPC-Web, Connect, `+json`, unknown methods, HTTP/1.1 never gets
 * here) to connect-node and the HTTP app, so each protocol keeps one implementation.
 *
 * A verified client certificate's common name reaches the call in {@link VERIFIED_CLIENT_HEADER},
 * percent-encoded (metadata values are ASCII); a client's own value of that header is dropped first.
 */
export function createGrpcRouter(opts: GrpcRouterOptions): StreamRouter {
  const { server, serve } = createStreamServer({ "grpc.max_receive_message_length": opts.readMaxBytes });
  const paths = new Set<string>();
  const add = (service: DescService, impl: grpc.UntypedServiceImplementation) => {
    server.addService(serviceDefinition(service), impl);
    for (const path of servicePaths(service)) paths.add(path);
  };
  for (const { service, impl } of opts.services) add(service, grpcUnaryService(service, impl, opts.pipeline));
  add(Health, grpcHealthService(opts.serving));
  const reflection = grpcReflectionServices(opts.reflectionFiles);
  add(v1.ServerReflection, reflection.v1);
  add(v1alpha.ServerReflection, reflection.v1alpha);

  return {
    accepts: (headers) =>
      headers[":method"] === "POST" &&
      GRPC_CONTENT_TYPE.test(headers["content-type"] ?? "") &&
      IDENTITY.has(headers["grpc-encoding"]) &&
      paths.has(headers[":path"] ?? ""),
    serve(stream, headers) {
      delete headers[VERIFIED_CLIENT_HEADER];
      const name = verifiedSocketName(stream.session?.socket);
      if (name !== undefined) headers[VERIFIED_CLIENT_HEADER] = encodeURIComponent(name);
      serve(stream, headers, [framingInterceptor(watchCompressedFlag(stream))]);
    },
  };
}
