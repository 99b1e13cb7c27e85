import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { fromBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { file_kms_v1_crypto_service } from "../../gen/kms/v1/crypto_service_pb.js";
import { file_kms_v1_data_key_service } from "../../gen/kms/v1/data_key_service_pb.js";
import { file_kms_v1_key_service } from "../../gen/kms/v1/key_service_pb.js";
import { registerHealth } from "../../src/api/health.js";
import { registerReflection } from "../../src/api/reflection.js";
import { ServingState } from "../../src/edge/serving-state.js";
import { createGrpcRouter } from "../../src/grpc/grpc-router.js";
import { type Listener, startListener } from "../../src/server.js";

const protoRoot = fileURLToPath(new URL("../../third_party/proto", import.meta.url));

/** The wire messages as @grpc/proto-loader decodes them (keepCase, oneofs, enums as strings). */
interface WireReflectionResponse {
  valid_host: string;
  original_request: Record<string, unknown>;
  message_response: string;
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  list_services_response?: { service: { name: string }[] };
  all_extension_numbers_response?: { base_type_name: string; extension_number: number[] };
  error_response?: { error_code: number; error_message: string };
}
interface WireHealthResponse {
  status: string;
}

type ClientCtor = new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client;

const definition = protoLoader.loadSync(
  ["grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto", "grpc/health/v1/health.proto"],
  { includeDirs: [protoRoot], keepCase: true, enums: String, defaults: true, oneofs: true },
);
// biome-ignore lint/suspicious/noExplicitAny: loadPackageDefinition returns an untyped namespace tree.
const loaded = grpc.loadPackageDefinition(definition) as any;
const ReflectionV1: ClientCtor = loaded.grpc.reflection.v1.ServerReflection;
const ReflectionV1alpha: ClientCtor = loaded.grpc.reflection.v1alpha.ServerReflection;
const HealthClient: ClientCtor = loaded.grpc.health.v1.Health;

const bufAvailable = spawnSync("npx", ["--no-install", "buf", "--version"], { encoding: "utf8" }).status === 0;

/** Counts live subscriptions, so a test can see that a cancelled Watch lets go of the state. */
class CountingServingState extends ServingState {
  live = 0;
  override onChange(listener: Parameters<ServingState["onChange"]>[0]): () => void {
    const unsubscribe = super.onChange(listener);
    this.live++;
    let active = true;
    return () => {
      if (active) {
        active = false;
        this.live--;
      }
      unsubscribe();
    };
  }
}

const state = new CountingServingState("SERVING");
const clients: grpc.Client[] = [];
let listener: Listener;
let address: string;

function client(ctor: ClientCtor): grpc.Client {
  const created = new ctor(address, grpc.credentials.createInsecure());
  clients.push(created);
  return created;
}

/** Sends all `requests` on one bidi stream, half-closes, and collects every response. */
function reflect(ctor: ClientCtor, requests: object[]): Promise<WireReflectionResponse[]> {
  // biome-ignore lint/suspicious/noExplicitAny: methods of proto-loader clients are created at runtime.
  const call: grpc.ClientDuplexStream<object, WireReflectionResponse> = (client(ctor) as any).ServerReflectionInfo();
  return new Promise((resolve, reject) => {
    const responses: WireReflectionResponse[] = [];
    call.on("data", (response: WireReflectionResponse) => responses.push(response));
    call.on("error", reject);
    call.on("end", () => resolve(responses));
    for (const request of requests) call.write(request);
    call.end();
  });
}

function decodeFiles(response: WireReflectionResponse | undefined): FileDescriptorProto[] {
  const encoded = response?.file_descriptor_response?.file_descriptor_proto ?? [];
  return encoded.map((bytes) => fromBinary(FileDescriptorProtoSchema, new Uint8Array(bytes)));
}

function check(service: string): Promise<WireHealthResponse> {
  // biome-ignore lint/suspicious/noExplicitAny: methods of proto-loader clients are created at runtime.
  const health = client(HealthClient) as any;
  return new Promise((resolve, reject) => {
    health.Check({ service }, (error: grpc.ServiceError | null, response: WireHealthResponse) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** Resolves with the next message on `call`, failing if the stream ends or errors first. */
function nextMessage(call: grpc.ClientReadableStream<WireHealthResponse>): Promise<WireHealthResponse> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      call.off("data", onData);
      call.off("error", onError);
      call.off("end", onEnd);
    };
    const onData = (message: WireHealthResponse) => {
      cleanup();
      resolve(message);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onEnd = () => {
      cleanup();
      reject(new Error("stream ended"));
    };
    call.on("data", onData);
    call.on("error", onError);
    call.on("end", onEnd);
  });
}

/**
 * Both gRPC stacks serve these answers (`KMS_GRPC_SERVER`): connect-node alone, and grpc-js taking
 * the `application/grpc` streams from the same listener the server uses. `routed` counts the
 * streams grpc-js took, so each run proves which stack answered.
 */
const STACKS = ["connect-node", "grpc-js"] as const;
let routed = 0;

async function serve(stack: (typeof STACKS)[number]): Promise<void> {
  const reflectionFiles = [file_kms_v1_key_service, file_kms_v1_data_key_service, file_kms_v1_crypto_service];
  const routes = (router: ConnectRouter) => {
    registerReflection(router, reflectionFiles);
    registerHealth(router, state);
  };
  const grpcRouter =
    stack === "grpc-js"
      ? createGrpcRouter({
          services: [],
          pipeline: { run: () => Promise.reject(new Error("no kms.v1 service is served here")) },
          serving: state,
          reflectionFiles,
          readMaxBytes: 1024 * 1024,
        })
      : undefined;
  listener = await startListener({
    host: "127.0.0.1",
    port: 0,
    logger: pino({ level: "silent" }),
    handler: connectNodeAdapter({ routes }),
    streamRouter: grpcRouter && {
      accepts: (headers) => grpcRouter.accepts(headers),
      serve(stream, headers) {
        routed++;
        grpcRouter.serve(stream, headers);
      },
    },
  });
  address = `127.0.0.1:${listener.port}`;
}

describe.each(STACKS)("served by %s", (stack) => {
  beforeAll(async () => {
    routed = 0;
    await serve(stack);
  });

  afterAll(async () => {
    for (const c of clients.splice(0)) c.close();
    await listener.close(0);
    // grpc-js took every gRPC stream on its path and none on connect-node's.
    if (stack === "grpc-js") expect(routed).toBeGreaterThan(10);
    else expect(routed).toBe(0);
  });

  describe("gRPC server reflection", () => {
    it("lists exactly the served services, including reflection and health", async () => {
      const [response] = await reflect(ReflectionV1, [{ host: "kms.test", list_services: "*" }]);
      expect(response?.valid_host).toBe("kms.test");
      expect(response?.original_request).toMatchObject({ list_services: "*" });
      expect(response?.list_services_response?.service.map((s) => s.name).sort()).toEqual(
        [
          "kms.v1.KeyService",
          "kms.v1.DataKeyService",
          "kms.v1.CryptoService",
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection",
        ].sort(),
      );
    });

    it("answers file_containing_symbol for a method with the file and all its transitive imports", async () => {
      const [response] = await reflect(ReflectionV1, [
        { file_containing_symbol: "kms.v1.DataKeyService.GenerateDataKeyPair" },
      ]);
      const files = decodeFiles(response);
      const names = files.map((f) => f.name);
      expect(names[0]).toBe("kms/v1/data_key_service.proto");
      expect(names).toContain("kms/v1/types.proto");
      expect(names).toContain("google/protobuf/timestamp.proto");
      expect(new Set(names).size).toBe(names.length);
      const method = files[0]?.service
        .find((s) => s.name === "DataKeyService")
        ?.method.find((m) => m.name === "GenerateDataKeyPair");
      expect(method?.inputType).toBe(".kms.v1.GenerateDataKeyPairRequest");
      // Every import of every returned file is itself returned, or a client cannot build its pool.
      for (const file of files) {
        for (const dependency of file.dependency) expect(names).toContain(dependency);
      }
    });

    it("resolves services, messages, enums and fields to the file that declares them", async () => {
      const symbols = [
        "kms.v1.KeyService",
        "kms.v1.GenerateDataKeyPairRequest",
        "google.protobuf.Timestamp",
        "grpc.health.v1.HealthCheckResponse.ServingStatus",
        "grpc.health.v1.HealthCheckResponse.status",
      ];
      const responses = await reflect(
        ReflectionV1,
        symbols.map((symbol) => ({ file_containing_symbol: symbol })),
      );
      expect(responses.map((r) => decodeFiles(r)[0]?.name)).toEqual([
        "kms/v1/key_service.proto",
        "kms/v1/data_key_service.proto",
        "google/protobuf/timestamp.proto",
        "grpc/health/v1/health.proto",
        "grpc/health/v1/health.proto",
      ]);
      expect(responses.map((r) => r.original_request.file_containing_symbol)).toEqual(symbols);
    });

    it("answers file_by_filename with the file first and its imports after", async () => {
      const [response] = await reflect(ReflectionV1, [{ file_by_filename: "kms/v1/types.proto" }]);
      expect(decodeFiles(response).map((f) => f.name)).toEqual([
        "kms/v1/types.proto",
        "google/protobuf/timestamp.proto",
      ]);
    });

    it("reports misses as NOT_FOUND error_response and keeps the stream usable", async () => {
      const responses = await reflect(ReflectionV1, [
        { file_containing_symbol: "kms.v1.NoSuchThing" },
        { file_by_filename: "kms/v1/missing.proto" },
        { file_containing_extension: { containing_type: "kms.v1.GenerateDataKeyPairRequest", extension_number: 100 } },
        { all_extension_numbers_of_type: "kms.v1.NoSuchMessage" },
        { list_services: "" },
      ]);
      expect(responses.map((r) => r.message_response)).toEqual([
        "error_response",
        "error_response",
        "error_response",
        "error_response",
        "list_services_response",
      ]);
      expect(responses.slice(0, 4).map((r) => r.error_response?.error_code)).toEqual([5, 5, 5, 5]);
    });

    it("answers all_extension_numbers_of_type for a known message with an empty list", async () => {
      const [response] = await reflect(ReflectionV1, [
        { all_extension_numbers_of_type: "kms.v1.GenerateDataKeyPairRequest" },
      ]);
      expect(response?.all_extension_numbers_response).toEqual({
        base_type_name: "kms.v1.GenerateDataKeyPairRequest",
        extension_number: [],
      });
    });

    it("answers on v1alpha as well", async () => {
      const responses = await reflect(ReflectionV1alpha, [
        { list_services: "" },
        { file_containing_symbol: "kms.v1.KeyService.CreateKey" },
        { file_containing_symbol: "kms.v1.Nope" },
      ]);
      expect(responses[0]?.list_services_response?.service.map((s) => s.name)).toContain("kms.v1.KeyService");
      expect(decodeFiles(responses[1]).map((f) => f.name)).toContain("kms/v1/key_service.proto");
      expect(responses[2]?.error_response?.error_code).toBe(5);
    });

    it.skipIf(!bufAvailable)("lets `buf curl` list methods with no local schema", async () => {
      // Asynchronous on purpose: the server runs in this process, so a sync spawn would deadlock.
      const { stdout } = await promisify(execFile)(
        "npx",
        ["--no-install", "buf", "curl", "--list-methods", "--http2-prior-knowledge", `http://${address}`],
        { timeout: 30_000 },
      );
      const methods = stdout.split("\n");
      expect(methods).toContain("kms.v1.DataKeyService/GenerateDataKeyPair");
      expect(methods).toContain("kms.v1.KeyService/CreateKey");
    });
  });

  describe("gRPC health", () => {
    it("Check reports SERVING for the server and each KMS service", async () => {
      expect(await check("")).toEqual({ status: "SERVING" });
      expect(await check("kms.v1.DataKeyService")).toEqual({ status: "SERVING" });
    });

    it("Check fails with NOT_FOUND for an unknown service", async () => {
      await expect(check("kms.v1.Unknown")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    });

    it("Check reports NOT_SERVING while draining", async () => {
      state.set("DRAINING");
      try {
        expect(await check("kms.v1.KeyService")).toEqual({ status: "NOT_SERVING" });
      } finally {
        state.set("SERVING");
      }
    });

    it("Watch sends the current status at once, then each change", async () => {
      // biome-ignore lint/suspicious/noExplicitAny: methods of proto-loader clients are created at runtime.
      const call: grpc.ClientReadableStream<WireHealthResponse> = (client(HealthClient) as any).Watch({ service: "" });
      call.on("error", () => {}); // The cancel below surfaces as a CANCELLED error.
      try {
        expect(await nextMessage(call)).toEqual({ status: "SERVING" });
        const next = nextMessage(call);
        state.set("STARTING");
        expect(await next).toEqual({ status: "NOT_SERVING" });
        const after = nextMessage(call);
        state.set("SERVING");
        expect(await after).toEqual({ status: "SERVING" });
      } finally {
        call.cancel();
        state.set("SERVING");
      }
      // The server sees the cancel through the handler's signal and unsubscribes.
      await vi.waitFor(() => expect(state.live).toBe(0), { timeout: 5_000 });
    });

    it("Watch ends cleanly once the server starts draining, after sending NOT_SERVING", async () => {
      // biome-ignore lint/suspicious/noExplicitAny: methods of proto-loader clients are created at runtime.
      const call: grpc.ClientReadableStream<WireHealthResponse> = (client(HealthClient) as any).Watch({ service: "" });
      const ended = new Promise<number>((resolve) => call.on("status", (s: grpc.StatusObject) => resolve(s.code)));
      call.on("error", () => {});
      try {
        expect(await nextMessage(call)).toEqual({ status: "SERVING" });
        const next = nextMessage(call);
        state.set("DRAINING");
        expect(await next).toEqual({ status: "NOT_SERVING" });
        expect(await ended).toBe(grpc.status.OK);
      } finally {
        call.cancel();
        state.set("SERVING");
      }
    });

    it("Watch of an unknown service sends SERVICE_UNKNOWN and keeps the stream open", async () => {
      // biome-ignore lint/suspicious/noExplicitAny: methods of proto-loader clients are created at runtime.
      const call: grpc.ClientReadableStream<WireHealthResponse> = (client(HealthClient) as any).Watch({
        service: "kms.v1.Unknown",
      });
      let ended = false;
      call.on("status", () => {
        ended = true;
      });
      call.on("error", () => {});
      try {
        expect(await nextMessage(call)).toEqual({ status: "SERVICE_UNKNOWN" });
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(ended).toBe(false);
      } finally {
        call.cancel();
      }
    });

    it("List reports every known service", async () => {
      // biome-ignore lint/suspicious/noExplicitAny: methods of proto-loader clients are created at runtime.
      const health = client(HealthClient) as any;
      const response = await new Promise<{ statuses: Record<string, WireHealthResponse> }>((resolve, reject) =>
        health.List({}, (error: grpc.ServiceError | null, r: { statuses: Record<string, WireHealthResponse> }) =>
          error ? reject(error) : resolve(r),
        ),
      );
      expect(Object.keys(response.statuses).sort()).toEqual(
        ["", "kms.v1.AdminService", "kms.v1.CryptoService", "kms.v1.DataKeyService", "kms.v1.KeyService"].sort(),
      );
      expect(response.statuses[""]).toEqual({ status: "SERVING" });
    });
  });
});
