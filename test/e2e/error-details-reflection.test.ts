import { resolve } from "node:path";
import { createFileRegistry, fromBinary, type Registry, toJson } from "@bufbuild/protobuf";
import { type Any, AnySchema, type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorStatus, grpcClients } from "../helpers/grpc-client.js";
import { ROOT, type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * Issue 19: "gRPC error details are unreadable — reflection does not serve google.rpc.ErrorInfo".
 * For each gRPC stack (`KMS_GRPC_SERVER`), a failing call's `grpc-status-details-bin` is read,
 * and reflection is asked for the file containing every detail type it carries, as grpcurl and
 * `buf curl` do to decode an `Any`. The answer must describe that message.
 */

const definition = protoLoader.loadSync(["grpc/reflection/v1/reflection.proto"], {
  includeDirs: [resolve(ROOT, "third_party/proto")],
  keepCase: true,
  defaults: true,
  oneofs: true,
});
// biome-ignore lint/suspicious/noExplicitAny: loadPackageDefinition returns an untyped namespace tree.
const Reflection = (grpc.loadPackageDefinition(definition) as any).grpc.reflection.v1.ServerReflection;

interface SymbolAnswer {
  files: FileDescriptorProto[];
  errorCode?: number;
}

function fileContainingSymbol(url: string, symbol: string): Promise<SymbolAnswer> {
  const client = new Reflection(url.replace(/^http:\/\//, ""), grpc.credentials.createInsecure());
  const call = client.ServerReflectionInfo();
  return new Promise<SymbolAnswer>((res, rej) => {
    call.on(
      "data",
      (r: {
        file_descriptor_response?: { file_descriptor_proto: Buffer[] };
        error_response?: { error_code: number };
      }) => {
        const files = (r.file_descriptor_response?.file_descriptor_proto ?? []).map((b) =>
          fromBinary(FileDescriptorProtoSchema, new Uint8Array(b)),
        );
        res({ files, ...(r.error_response ? { errorCode: r.error_response.error_code } : {}) });
      },
    );
    call.on("error", rej);
    call.write({ file_containing_symbol: symbol });
    call.end();
  }).finally(() => client.close());
}

/** An `Any` as proto3 JSON, resolving its type through `registry` only. */
function anyToJson(any: Any, registry: Registry): unknown {
  return toJson(AnySchema, any, { registry });
}

describe.each(["grpc-js", "connect-node"])("KMS_GRPC_SERVER=%s", (stack) => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServer({ env: { KMS_GRPC_SERVER: stack } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("reflection serves every detail type a failed call carries", async () => {
    const clients = grpcClients(server.url);
    let failure: unknown;
    try {
      await clients.keys.DescribeKey({ keyId: "alias/absent" });
    } catch (err) {
      failure = err;
    } finally {
      clients.close();
    }
    const details = errorStatus(failure)?.details ?? [];
    expect(details.map((d) => d.typeUrl)).toEqual(["type.googleapis.com/google.rpc.ErrorInfo"]);
    for (const detail of details) {
      const symbol = detail.typeUrl.slice(detail.typeUrl.lastIndexOf("/") + 1);
      const answer = await fileContainingSymbol(server.url, symbol);
      expect(answer.errorCode).toBeUndefined();
      const file = answer.files[0]!;
      expect(file.name).toBe("google/rpc/error_details.proto");
      expect(file.package).toBe("google.rpc");
      const message = file.messageType.find((m) => `${file.package}.${m.name}` === symbol);
      expect(message?.field.map((f) => f.name)).toEqual(["reason", "domain", "metadata"]);
    }
  });

  it("an unknown symbol is still NOT_FOUND (the index did not become a catch-all)", async () => {
    expect((await fileContainingSymbol(server.url, "google.rpc.NoSuchDetail")).errorCode).toBe(5);
  });

  it("the reflected descriptors decode the detail, as grpcurl does with an Any (no local schema)", async () => {
    const clients = grpcClients(server.url);
    const failure = await clients.keys.DescribeKey({ keyId: "alias/absent" }).catch((err: unknown) => err);
    clients.close();
    const detail = errorStatus(failure)?.details[0];
    expect(detail).toBeDefined();
    const symbol = detail!.typeUrl.slice(detail!.typeUrl.lastIndexOf("/") + 1);
    const { files } = await fileContainingSymbol(server.url, symbol);
    // The answer is the file first, then its imports (reflection does not order them for a set).
    const byName = new Map(files.map((f) => [f.name, f]));
    const registry = createFileRegistry(files[0]!, (name) => byName.get(name));
    expect(anyToJson(detail!, registry)).toMatchObject({ "@type": detail!.typeUrl, reason: "NotFoundException" });
  });
});
