import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { KeyService } from "../../gen/kms/v1/key_service_pb.js";
import { KeySpec, KeyState, KeyUsage } from "../../gen/kms/v1/types_pb.js";
import { authInterceptor } from "../helpers/auth.js";
import { callWithHeaders, expectGrpcError, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { ADMIN_AUTH, ROOT, type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * One real server (`npm start`) spoken to over every surface it claims on its one port: gRPC
 * (grpc-js over h2c), Connect JSON over HTTP/1.1 (plain node:http), gRPC-Web and Connect binary
 * (connect-node transports, HTTP/1.1 and HTTP/2), gRPC reflection and health, /healthz, /metrics
 * and CORS — plus clients that misbehave at the TCP level.
 */

const ALLOWED_ORIGIN = "http://app.example";
const UNKNOWN_KEY = "00000000-0000-4000-8000-000000000000";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const loaderOptions = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  bytes: Buffer,
  includeDirs: [resolve(ROOT, "third_party/proto")],
};
const infra = grpc.loadPackageDefinition(
  protoLoader.loadSync(["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto"], loaderOptions),
) as unknown as {
  grpc: {
    health: { v1: { Health: grpc.ServiceClientConstructor } };
    reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } };
  };
};

interface ReflectionResponse {
  messageResponse: string;
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

let server: ServerProcess;
let clients: GrpcClients;
const extraClients: grpc.Client[] = [];

beforeAll(async () => {
  server = await startServer({ env: { KMS_CORS_ORIGINS: ALLOWED_ORIGIN } });
  clients = grpcClients(server.url);
});

afterAll(async () => {
  clients?.close();
  for (const c of extraClients) c.close();
  await server?.stop();
});

interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request on a fresh connection (no agent pooling between tests). */
function http1(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<HttpResult> {
  return new Promise((res, rej) => {
    const req = http.request(
      { host: "127.0.0.1", port: server.port, method, path, headers, agent: false, timeout: 10_000 },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (d: string) => {
          text += d;
        });
        response.on("end", () => res({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      },
    );
    req.on("error", rej);
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(body);
  });
}

function connectJson(method: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  return http1(
    "POST",
    `/kms.v1.KeyService/${method}`,
    { "content-type": "application/json", "connect-protocol-version": "1", ...ADMIN_AUTH, ...headers },
    JSON.stringify(body),
  );
}

function infraClient(ctor: grpc.ServiceClientConstructor): grpc.Client {
  const c = new ctor(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  extraClients.push(c);
  return c;
}

function reflect(requests: object[]): Promise<ReflectionResponse[]> {
  const client = infraClient(infra.grpc.reflection.v1.ServerReflection) as unknown as {
    ServerReflectionInfo(): grpc.ClientDuplexStream<object, ReflectionResponse>;
  };
  return new Promise((res, rej) => {
    const out: ReflectionResponse[] = [];
    const stream = client.ServerReflectionInfo();
    stream.on("data", (d: ReflectionResponse) => out.push(d));
    stream.on("error", rej);
    stream.on("end", () => res(out));
    for (const r of requests) stream.write(r);
    stream.end();
  });
}

function healthCheck(service: string): Promise<{ status: string }> {
  const client = infraClient(infra.grpc.health.v1.Health) as unknown as {
    Check(
      req: { service: string },
      cb: (err: grpc.ServiceError | null, res?: { status: string }) => void,
    ): grpc.ClientUnaryCall;
  };
  return new Promise((res, rej) => client.Check({ service }, (err, value) => (err ? rej(err) : res(value!))));
}

const interceptors = [authInterceptor()];
const transports: [string, () => Transport][] = [
  ["gRPC-Web over HTTP/1.1", () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors })],
  ["gRPC-Web over HTTP/2", () => createGrpcWebTransport({ baseUrl: server.url, httpVersion: "2", interceptors })],
  [
    "Connect binary over HTTP/1.1",
    () => createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: true, interceptors }),
  ],
  [
    "Connect binary over HTTP/2",
    () => createConnectTransport({ baseUrl: server.url, httpVersion: "2", useBinaryFormat: true, interceptors }),
  ],
];

describe("gRPC over h2c (grpc-js)", () => {
  it("answers grpc.health.v1.Health/Check for the server and each kms service, NOT_FOUND for others", async () => {
    expect((await healthCheck("")).status).toBe("SERVING");
    expect((await healthCheck("kms.v1.KeyService")).status).toBe("SERVING");
    expect((await healthCheck("kms.v1.CryptoService")).status).toBe("SERVING");
    const err = await healthCheck("kms.v1.NoSuchService").then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(err?.code).toBe(grpc.status.NOT_FOUND);
  });

  it("creates and describes a key", async () => {
    const created = await clients.keys.CreateKey({ description: "over grpc-js", tags: { team: "wire" } });
    expect(created.key.keyId).toMatch(UUID);
    expect(created.key.keySpec).toBe("KEY_SPEC_AES_256");
    const described = await clients.keys.DescribeKey({ keyId: created.key.keyId });
    expect(described.key).toMatchObject({
      keyId: created.key.keyId,
      description: "over grpc-js",
      keySpec: "KEY_SPEC_AES_256",
      keyUsage: "KEY_USAGE_ENCRYPT_DECRYPT",
      keyState: "KEY_STATE_ENABLED",
      tags: { team: "wire" },
    });
  });
});

describe("Connect JSON over HTTP/1.1 (plain node:http)", () => {
  it("creates a key; the same key is then visible over gRPC", async () => {
    const res = await connectJson("CreateKey", {
      keySpec: "KEY_SPEC_EC_P256",
      keyUsage: "KEY_USAGE_SIGN_VERIFY",
      description: "over connect json",
    });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const body = JSON.parse(res.body) as { key: { keyId: string; keySpec: string; keyState: string } };
    expect(body.key.keySpec).toBe("KEY_SPEC_EC_P256");
    expect(body.key.keyState).toBe("KEY_STATE_ENABLED");
    const viaGrpc = await clients.keys.DescribeKey({ keyId: body.key.keyId });
    expect(viaGrpc.key.keyUsage).toBe("KEY_USAGE_SIGN_VERIFY");
    expect(viaGrpc.key.description).toBe("over connect json");
  });
});

describe.each(transports)("%s (connect-node)", (_name, makeTransport) => {
  it("creates and describes a key with the generated descriptors", async () => {
    const client = createClient(KeyService, makeTransport());
    const created = await client.createKey({ keySpec: KeySpec.RSA_2048, keyUsage: KeyUsage.SIGN_VERIFY });
    expect(created.key?.keyId).toMatch(UUID);
    const described = await client.describeKey({ keyId: created.key!.keyId });
    expect(described.key?.keySpec).toBe(KeySpec.RSA_2048);
    expect(described.key?.keyUsage).toBe(KeyUsage.SIGN_VERIFY);
    expect(described.key?.keyState).toBe(KeyState.ENABLED);
  });

  it("carries NotFound with its ErrorInfo reason", async () => {
    const client = createClient(KeyService, makeTransport());
    const err = await client.describeKey({ keyId: UNKNOWN_KEY }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.code).toBe(Code.NotFound);
    expect(err?.findDetails(ErrorInfoSchema).map((d) => d.reason)).toEqual(["NotFoundException"]);
  });
});

describe("gRPC reflection v1", () => {
  it("lists the three kms services", async () => {
    const [res] = await reflect([{ listServices: "" }]);
    expect(res?.messageResponse).toBe("listServicesResponse");
    const names = res?.listServicesResponse?.service.map((s) => s.name) ?? [];
    expect(names).toEqual(
      expect.arrayContaining(["kms.v1.KeyService", "kms.v1.DataKeyService", "kms.v1.CryptoService"]),
    );
  });

  it("resolves kms.v1.KeyService.CreateKey to a descriptor naming its input and output types", async () => {
    const [res] = await reflect([{ fileContainingSymbol: "kms.v1.KeyService.CreateKey" }]);
    expect(res?.messageResponse).toBe("fileDescriptorResponse");
    const files = (res?.fileDescriptorResponse?.fileDescriptorProto ?? []).map((b) =>
      fromBinary(FileDescriptorProtoSchema, b),
    );
    const names = files.map((f) => f.name);
    expect(names).toContain("kms/v1/key_service.proto");
    expect(names).toContain("kms/v1/types.proto");
    const method = files
      .find((f) => f.name === "kms/v1/key_service.proto")
      ?.service.find((s) => s.name === "KeyService")
      ?.method.find((m) => m.name === "CreateKey");
    expect(method?.inputType).toBe(".kms.v1.CreateKeyRequest");
    expect(method?.outputType).toBe(".kms.v1.CreateKeyResponse");
    const request = files
      .find((f) => f.name === "kms/v1/key_service.proto")
      ?.messageType.find((m) => m.name === "CreateKeyRequest");
    expect(request?.field.map((f) => f.name)).toEqual([
      "key_spec",
      "key_usage",
      "description",
      "tags",
      "policy",
      "origin",
    ]);
  });

  it("answers an unknown symbol with an error response, not a broken stream", async () => {
    const [res] = await reflect([{ fileContainingSymbol: "kms.v1.NoSuchThing" }]);
    expect(res?.messageResponse).toBe("errorResponse");
    expect(res?.errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
  });
});

describe("an error crosses each wire with the right code and reason", () => {
  it("gRPC (grpc-js): NOT_FOUND + NotFoundException", async () => {
    await expectGrpcError(clients.keys.DescribeKey({ keyId: UNKNOWN_KEY }), grpc.status.NOT_FOUND, "NotFoundException");
  });

  it("gRPC (grpc-js): INVALID_ARGUMENT + ValidationException", async () => {
    await expectGrpcError(
      clients.keys.CreateKey({ keySpec: "KEY_SPEC_AES_256", keyUsage: "KEY_USAGE_SIGN_VERIFY" }),
      grpc.status.INVALID_ARGUMENT,
      "ValidationException",
    );
  });

  it("Connect JSON: HTTP 404, code not_found, ErrorInfo in details (debug and binary agree)", async () => {
    const res = await connectJson("DescribeKey", { keyId: UNKNOWN_KEY });
    expect(res.status).toBe(404);
    const body = JSON.parse(res.body) as {
      code: string;
      details: { type: string; value: string; debug?: { reason?: string } }[];
    };
    expect(body.code).toBe("not_found");
    expect(body.details[0]?.type).toBe("google.rpc.ErrorInfo");
    expect(body.details[0]?.debug?.reason).toBe("NotFoundException");
    const info = fromBinary(ErrorInfoSchema, Buffer.from(body.details[0]?.value ?? "", "base64"));
    expect(info.reason).toBe("NotFoundException");
  });

  it("Connect JSON: HTTP 400, code invalid_argument, ValidationException", async () => {
    const res = await connectJson("CreateKey", { keySpec: "KEY_SPEC_EC_P256", keyUsage: "KEY_USAGE_ENCRYPT_DECRYPT" });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { code: string; details: { debug?: { reason?: string } }[] };
    expect(body.code).toBe("invalid_argument");
    expect(body.details[0]?.debug?.reason).toBe("ValidationException");
  });
});

describe("x-request-id", () => {
  it("is echoed when the client sends one, over Connect JSON, on success and on error", async () => {
    const ok = await connectJson("CreateKey", {}, { "x-request-id": "e2e-req-ok.1" });
    expect(ok.status).toBe(200);
    expect(ok.headers["x-request-id"]).toBe("e2e-req-ok.1");
    const failed = await connectJson("DescribeKey", { keyId: UNKNOWN_KEY }, { "x-request-id": "e2e-req-err:2" });
    expect(failed.status).toBe(404);
    expect(failed.headers["x-request-id"]).toBe("e2e-req-err:2");
  });

  it("is a fresh UUID when the client sends none, or a malformed one", async () => {
    const ok = await connectJson("CreateKey", {});
    const failed = await connectJson("DescribeKey", { keyId: UNKNOWN_KEY });
    const malformed = await connectJson("DescribeKey", { keyId: UNKNOWN_KEY }, { "x-request-id": "has space;bad" });
    const ids = [ok, failed, malformed].map((r) => r.headers["x-request-id"]);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(3);
  });

  it("is echoed and generated over gRPC (grpc-js), on success and on error", async () => {
    const sent = new grpc.Metadata();
    sent.set("x-request-id", "grpc-req-1");
    const ok = await callWithHeaders(clients.raw.keys, "CreateKey", {}, sent);
    expect(ok.error).toBeUndefined();
    expect(ok.headers?.get("x-request-id")).toEqual(["grpc-req-1"]);

    const sentErr = new grpc.Metadata();
    sentErr.set("x-request-id", "grpc-req-2");
    const failed = await callWithHeaders(clients.raw.keys, "DescribeKey", { keyId: UNKNOWN_KEY }, sentErr);
    expect(failed.error?.code).toBe(grpc.status.NOT_FOUND);
    const failedId = failed.headers?.get("x-request-id")[0] ?? failed.error?.metadata.get("x-request-id")[0];
    expect(failedId).toBe("grpc-req-2");

    const generated = await callWithHeaders(clients.raw.keys, "DescribeKey", { keyId: UNKNOWN_KEY });
    const generatedId = generated.headers?.get("x-request-id")[0] ?? generated.error?.metadata.get("x-request-id")[0];
    expect(generatedId).toMatch(UUID);
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    http1("OPTIONS", "/kms.v1.KeyService/CreateKey", {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,connect-protocol-version",
    });

  it("answers a preflight from an allowed origin with that origin and the Connect headers", async () => {
    const res = await preflight(ALLOWED_ORIGIN);
    expect(res.status).toBeLessThan(300);
    expect(res.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);
    const allowed = String(res.headers["access-control-allow-headers"] ?? "")
      .toLowerCase()
      .split(/\s*,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(["content-type", "connect-protocol-version"]));
    expect(String(res.headers["access-control-allow-methods"])).toMatch(/\bPOST\b/);
  });

  it("does not allow another origin", async () => {
    const res = await preflight("http://evil.example");
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    const call = await connectJson("CreateKey", {}, { origin: "http://evil.example" });
    expect(call.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("exposes x-request-id to the allowed origin on the actual call", async () => {
    const res = await connectJson("CreateKey", {}, { origin: ALLOWED_ORIGIN });
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);
    expect(String(res.headers["access-control-expose-headers"]).toLowerCase()).toContain("x-request-id");
  });
});

/** Opens a TCP connection, runs `act` once connected, and resolves when the socket closes. */
function rawConnection(act: (socket: net.Socket) => void): Promise<void> {
  return new Promise((res) => {
    const socket = net.connect(server.port, "127.0.0.1", () => act(socket));
    socket.on("error", () => {});
    socket.on("close", () => res());
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serverAlive(): boolean {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return false;
  try {
    process.kill(server.pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("misbehaving TCP clients do not take the server down", () => {
  it("survives resets before the first byte, after half the HTTP/2 preface, and garbage bytes", async () => {
    const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    for (let round = 0; round < 10; round++) {
      await Promise.all([
        rawConnection((s) => s.resetAndDestroy()),
        rawConnection((s) => {
          s.write(preface.subarray(0, 12), () => setTimeout(() => s.resetAndDestroy(), 20));
        }),
        rawConnection((s) => {
          s.write(Buffer.from([0x16, 0x03, 0x01, 0xde, 0xad, 0xbe, 0xef, 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0xff]), () =>
            setTimeout(() => s.resetAndDestroy(), 20),
          );
        }),
        rawConnection((s) => {
          s.write(Buffer.concat([preface, Buffer.from("not an http2 frame at all, just noise")]), () =>
            setTimeout(() => s.resetAndDestroy(), 20),
          );
        }),
      ]);
    }
    await sleep(200);
    expect(serverAlive()).toBe(true);
    const health = await http1("GET", "/healthz");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: "SERVING" });
    const key = await clients.keys.CreateKey({});
    expect(key.key.keyState).toBe("KEY_STATE_ENABLED");
  });

  it("closes an HTTP/1.1 connection that sent garbage instead of holding it open (answering 400 at most)", async () => {
    let received = "";
    let socket: net.Socket | undefined;
    const closedInTime = await Promise.race([
      rawConnection((s) => {
        socket = s;
        s.on("data", (d: Buffer) => {
          received += d.toString("latin1");
        });
        s.write("GARBAGE \u0000\u0001 NOT-HTTP\r\n\r\n");
      }).then(() => true),
      sleep(3_000).then(() => false),
    ]);
    socket?.destroy();
    expect(closedInTime).toBe(true);
    if (received !== "") expect(received).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe("/healthz and /metrics", () => {
  it("/healthz answers 200 SERVING", async () => {
    const res = await http1("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: "SERVING" });
  });

  it("/metrics counts calls by service, method and code", async () => {
    await clients.keys.CreateKey({});
    await clients.keys.DescribeKey({ keyId: UNKNOWN_KEY }).catch(() => undefined);
    expect((await http1("GET", "/metrics")).status).toBe(401);
    const res = await http1("GET", "/metrics", { ...ADMIN_AUTH });
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    const samples = res.body
      .split("\n")
      .filter((l) => l.startsWith("kms_requests_total{"))
      .map((l) => {
        const labels = Object.fromEntries([...l.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        return { ...labels, value: Number(l.slice(l.lastIndexOf(" ") + 1)) };
      });
    const created = samples.find(
      (s) => s.service === "kms.v1.KeyService" && s.method === "CreateKey" && s.code === "OK",
    );
    const notFound = samples.find(
      (s) => s.service === "kms.v1.KeyService" && s.method === "DescribeKey" && s.code === "NotFound",
    );
    expect(created?.value).toBeGreaterThanOrEqual(1);
    expect(notFound?.value).toBeGreaterThanOrEqual(1);
  });
});

/** Runs `npm start` with one bad variable and returns its exit code and stderr. */
function startWithBadConfig(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "kms-e2e-badcfg-"));
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: { ...process.env, KMS_LISTEN: "127.0.0.1:0", KMS_DATA_DIR: dataDir, KMS_WORKERS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.resume();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((res) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      res({ code, stderr });
    }),
  );
}

describe("a bad config value stops start-up", () => {
  it.each([
    ["KMS_WORKERS", "0"],
    ["KMS_LISTEN", "nope"],
  ])("%s=%s exits 2 with one line naming the variable", async (name, value) => {
    const { code, stderr } = await startWithBadConfig({ [name]: value });
    expect(code).toBe(2);
    const lines = stderr.split("\n").filter((l) => l.trim() !== "" && !/^npm (warn|notice)/i.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
  });
});
