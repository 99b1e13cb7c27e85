import { resolve } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ROOT } from "./server-process.js";

/** `grpc.health.v1.Health` as a grpc-js client, loaded from `third_party/proto`. */
export interface HealthClient extends grpc.Client {
  Watch(req: { service: string }): grpc.ClientReadableStream<{ status: string }>;
}

/** An independent grpc-js health client for the server on `port` (cleartext HTTP/2). */
export function healthClient(port: number): HealthClient {
  const definition = protoLoader.loadSync("grpc/health/v1/health.proto", {
    includeDirs: [resolve(ROOT, "third_party/proto")],
    enums: String,
    defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  return new pkg.grpc.health.v1.Health(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  ) as unknown as HealthClient;
}
