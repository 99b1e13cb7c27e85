import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { KeyService } from "../../gen/kms/v1/key_service_pb.js";
import { createKmsClient } from "../../src/client/node.js";
import { DataKeySpec, KeyPairSpec, KeySpec, KeyUsage } from "../../src/client/index.js";
import { grpcClients } from "../helpers/grpc-client.js";
import { ADMIN_AUTH, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/** One span as OTLP/HTTP JSON carries it (opentelemetry-proto `trace.proto`, JSON mapping). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number; message?: string };
}
interface ReceivedSpan extends OtlpSpan {
  service: string;
  attrs: Record<string, unknown>;
}

const SERVER_KIND = 2;
const STATUS_ERROR = 2;

/**
 * Traces for every RPC on every surface, received by an OTLP/HTTP receiver this test runs (the
 * server exports with the standard `OTEL_*` variables only): span names and attributes per
 * protocol, store and worker spans beneath the call, error status, the caller's `traceparent`
 * honoured, tracing off without `OTEL_TRACES_EXPORTER`, and no plaintext, key material or token
 * anywhere in what was exported.
 */
describe("OpenTelemetry traces", () => {
  let receiver: Server;
  let endpoint: string;
  const bodies: string[] = [];
  const spans: ReceivedSpan[] = [];
  let grpcJs: ServerProcess;
  let connectNode: ServerProcess;
  let untraced: ServerProcess;
  /** Everything secret the calls handled, to be searched for in every exported byte. */
  const secrets: Buffer[] = [Buffer.from(TEST_ADMIN.token), Buffer.from(TEST_ADMIN.secretAccessKey)];
  const plaintext = randomBytes(32);
  secrets.push(plaintext);

  const traced = (service: string) => ({
    OTEL_TRACES_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_SERVICE_NAME: service,
    OTEL_BSP_SCHEDULE_DELAY: "50",
    KMS_KEYPAIR_POOL: "off",
  });

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (req.url === "/v1/traces" && req.headers["content-type"]?.startsWith("application/json")) {
          bodies.push(body);
          for (const rs of JSON.parse(body).resourceSpans ?? []) {
            const service = rs.resource?.attributes?.find((a: { key: string }) => a.key === "service.name")?.value
              ?.stringValue;
            for (const ss of rs.scopeSpans ?? []) {
              for (const span of ss.spans as OtlpSpan[]) {
                const attrs = Object.fromEntries(
                  (span.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]] as const),
                );
                spans.push({ ...span, service, attrs });
              }
            }
          }
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    [grpcJs, connectNode, untraced] = await Promise.all([
      startServer({ env: traced("kms-grpc-js") }),
      startServer({ env: { ...traced("kms-connect-node"), KMS_GRPC_SERVER: "connect-node" } }),
      // Tracing off (the default): the endpoint is known, but no exporter is asked for.
      startServer({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: "kms-untraced" } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([grpcJs?.stop(), connectNode?.stop(), untraced?.stop()]);
    await new Promise((resolve) => receiver?.close(resolve));
  });

  /** The one server span of `service`'s call named `name` with these attributes, once exported. */
  async function serverSpan(service: string, name: string, attrs: Record<string, unknown>): Promise<ReceivedSpan> {
    return vi.waitFor(
      () => {
        const found = spans.filter(
          (s) =>
            s.service === service &&
            s.name === name &&
            s.kind === SERVER_KIND &&
            Object.entries(attrs).every(([k, v]) => s.attrs[k] === v),
        );
        expect(found).toHaveLength(1);
        return found[0]!;
      },
      { timeout: 15_000, interval: 50 },
    );
  }
  const childrenOf = (span: ReceivedSpan) =>
    spans.filter((s) => s.traceId === span.traceId && s.parentSpanId === span.spanId);

  it("traces Connect calls, with store spans beneath and the key they used", async () => {
    const kms = createKmsClient({ baseUrl: grpcJs.url, token: TEST_ADMIN.token, retry: false });
    const { key } = await kms.keys.createKey({ description: "traced" });
    const sealed = await kms.crypto.advanceEncrypt({ keyId: key!.keyId, plaintext });
    const opened = await kms.crypto.advanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob });
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    const dataKey = await kms.dataKeys.generateDataKey({ keyId: key!.keyId, keySpec: DataKeySpec.AES_256 });
    secrets.push(Buffer.from(dataKey.plaintext));

    const create = await serverSpan("kms-grpc-js", "kms.v1.KeyService/CreateKey", {
      "kms.protocol": "connect",
      "rpc.system": "connect_rpc",
      "rpc.service": "kms.v1.KeyService",
      "rpc.method": "CreateKey",
      "kms.stack": "connect-node",
      "kms.code": "OK",
      "kms.key_id": key!.keyId,
    });
    expect(create.parentSpanId ?? "").toBe("");
    expect(create.attrs["kms.request_id"]).toMatch(/\S/);
    await vi.waitFor(() => {
      const inserts = childrenOf(create).filter((s) => s.name === "INSERT kms_keys");
      expect(inserts).toHaveLength(1);
      expect(inserts[0]!.attrs).toMatchObject({ "db.system.name": "sqlite", "db.operation.name": "INSERT" });
    });
    const decrypt = await serverSpan("kms-grpc-js", "kms.v1.CryptoService/AdvanceDecrypt", {
      "kms.protocol": "connect",
    });
    expect(decrypt.status?.code ?? 0).not.toBe(STATUS_ERROR);
  });

  it("puts the worker thread's key-pair generation beneath the pair call", async () => {
    const kms = createKmsClient({ baseUrl: grpcJs.url, token: TEST_ADMIN.token, retry: false });
    const { key } = await kms.keys.createKey({ description: "pairs" });
    const pair = await kms.dataKeys.generateDataKeyPair({ keyId: key!.keyId, keyPairSpec: KeyPairSpec.EC_P256 });
    secrets.push(Buffer.from(pair.privateKeyPlaintext));
    const call = await serverSpan("kms-grpc-js", "kms.v1.DataKeyService/GenerateDataKeyPair", {
      "kms.key_id": key!.keyId,
    });
    await vi.waitFor(() => {
      const workers = childrenOf(call).filter((s) => s.name === "worker generateKeyPair");
      expect(workers).toHaveLength(1);
      expect(workers[0]!.attrs["kms.key_pair_spec"]).toBe("EC_P256");
    });
  });

  it("traces gRPC on grpc-js and on connect-node, and gRPC-Web; an error sets the span's status", async () => {
    const missing = "alias/no-such-key";
    for (const server of [grpcJs, connectNode]) {
      const grpc = grpcClients(server.url);
      try {
        await expect(grpc.keys.DescribeKey({ keyId: missing })).rejects.toMatchObject({ code: 5 });
      } finally {
        grpc.close();
      }
    }
    const web = createClient(
      KeyService,
      createGrpcWebTransport({ baseUrl: grpcJs.url, httpVersion: "1.1", interceptors: [] }),
    );
    await web.createKey({ keySpec: KeySpec.HMAC_256, keyUsage: KeyUsage.GENERATE_VERIFY_MAC }, { headers: ADMIN_AUTH });

    for (const [service, stack] of [
      ["kms-grpc-js", "grpc-js"],
      ["kms-connect-node", "connect-node"],
    ] as const) {
      const span = await serverSpan(service, "kms.v1.KeyService/DescribeKey", {
        "kms.protocol": "grpc",
        "rpc.system": "grpc",
        "kms.stack": stack,
      });
      expect(span.status).toMatchObject({ code: STATUS_ERROR, message: "NotFound" });
      expect(span.attrs["kms.code"]).toBe("NotFound");
    }
    const webSpan = await serverSpan("kms-grpc-js", "kms.v1.KeyService/CreateKey", { "kms.protocol": "grpc-web" });
    expect(webSpan.attrs["kms.code"]).toBe("OK");
  });

  it("traces the AWS JSON and Alibaba surfaces", async () => {
    const aws = new KMSClient({
      endpoint: grpcJs.url,
      region: "us-east-1",
      credentials: { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey },
    });
    try {
      const kms = createKmsClient({ baseUrl: grpcJs.url, token: TEST_ADMIN.token, retry: false });
      const { key } = await kms.keys.createKey({ description: "aws" });
      const encrypted = await aws.send(new EncryptCommand({ KeyId: key!.keyId, Plaintext: plaintext }));
      await aws.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
      const dataKey = await aws.send(new GenerateDataKeyCommand({ KeyId: key!.keyId, KeySpec: "AES_256" }));
      secrets.push(Buffer.from(dataKey.Plaintext!));
    } finally {
      aws.destroy();
    }
    const encrypt = await serverSpan("kms-grpc-js", "TrentService/Encrypt", {
      "kms.protocol": "aws-json",
      "rpc.system": "aws-api",
      "kms.code": "OK",
    });
    expect(childrenOf(encrypt).length).toBeGreaterThan(0);
    await serverSpan("kms-grpc-js", "TrentService/GenerateDataKey", { "kms.protocol": "aws-json" });

    // An unsigned Alibaba call: refused by authentication inside the pipeline, so traced as such.
    const res = await fetch(`${grpcJs.url}/`, {
      method: "POST",
      headers: {
        "x-kms-apiversion": "dkms-gcs-0.2",
        "x-kms-apiname": "Encrypt",
        "content-type": "application/x-protobuf",
      },
      body: new Uint8Array(0),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const dkms = await serverSpan("kms-grpc-js", "dkms-gcs/Encrypt", { "kms.protocol": "alibaba" });
    expect(dkms.status?.code).toBe(STATUS_ERROR);
    expect(dkms.status?.message).toBe(dkms.attrs["kms.code"]);
    expect(dkms.attrs["kms.code"]).not.toBe("OK");
  });

  it("continues the caller's trace from its traceparent header", async () => {
    const traceId = randomBytes(16).toString("hex");
    const parentId = randomBytes(8).toString("hex");
    const res = await fetch(`${grpcJs.url}/kms.v1.KeyService/ListKeys`, {
      method: "POST",
      headers: { ...ADMIN_AUTH, "content-type": "application/json", traceparent: `00-${traceId}-${parentId}-01` },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const span = await serverSpan("kms-grpc-js", "kms.v1.KeyService/ListKeys", { "kms.protocol": "connect" });
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe(parentId);
  });

  it("exports nothing without OTEL_TRACES_EXPORTER, and no secret in any exported byte", async () => {
    const kms = createKmsClient({ baseUrl: untraced.url, token: TEST_ADMIN.token, retry: false });
    await kms.keys.createKey({ description: "not traced" });
    // Stopping flushes whatever a tracer had batched, so an empty result after the exit is final.
    await untraced.stop();
    await grpcJs.stop();
    await connectNode.stop();
    expect(spans.filter((s) => s.service === "kms-untraced")).toEqual([]);
    expect(spans.length).toBeGreaterThan(20);

    const exported = bodies.join("\n");
    for (const secret of secrets) {
      for (const encoded of [
        secret.toString("hex"),
        secret.toString("hex").toUpperCase(),
        secret.toString("base64"),
        secret.toString("base64url"),
        secret.toString("latin1"),
      ]) {
        expect(exported.includes(encoded), `a secret (${secret.length} bytes) was exported`).toBe(false);
      }
    }
  });
});
