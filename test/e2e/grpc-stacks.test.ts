import { createPublicKey, randomUUID } from "node:crypto";
import http2 from "node:http2";
import { resolve } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GenerateDataKeyPairRequestSchema } from "../../gen/kms/v1/data_key_service_pb.js";
import { KeyPairSpec } from "../../gen/kms/v1/types_pb.js";
import { sqliteFile } from "../../src/store/open-store.js";
import { expectGrpcError, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { withRequestId } from "../helpers/security.js";
import { ROOT, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * The same gRPC behaviour from both stacks `KMS_GRPC_SERVER` chooses (grpc-js, the default, and
 * connect-node): one server per stack, one call of each RPC family, errors with their ErrorInfo,
 * authentication, request ids, the audit record, a server-side deadline (`grpc-timeout`),
 * cancellation, malformed protobuf, health and reflection — and the log line naming the stack
 * that answered. The full gRPC suites run on the default stack; this file keeps connect-node's
 * path from drifting.
 */

const STACKS = ["grpc-js", "connect-node"] as const;
const UNKNOWN_KEY = "00000000-0000-4000-8000-000000000000";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const infra = grpc.loadPackageDefinition(
  protoLoader.loadSync(["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto"], {
    keepCase: false,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [resolve(ROOT, "third_party/proto")],
  }),
) as unknown as {
  grpc: {
    health: { v1: { Health: grpc.ServiceClientConstructor } };
    reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } };
  };
};

interface RawAnswer {
  headers: http2.IncomingHttpHeaders;
  /** Trailers, or the headers of a trailers-only answer. */
  status: http2.IncomingHttpHeaders;
}

/**
 * One gRPC call over a bare HTTP/2 stream, so that a test controls exactly what the server gets
 * (a `grpc-timeout` the client does not enforce itself, bytes that are not a message).
 */
function rawGrpc(url: string, path: string, message: Uint8Array, headers: Record<string, string>): Promise<RawAnswer> {
  const session = http2.connect(url);
  session.on("error", () => {});
  return new Promise<RawAnswer>((res, rej) => {
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      authorization: `Bearer ${TEST_ADMIN.token}`,
      ...headers,
    });
    let first: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => {
      first = h;
      if (h["grpc-status"] !== undefined) res({ headers: h, status: h });
    });
    stream.on("trailers", (t) => res({ headers: first, status: t }));
    stream.on("error", rej);
    stream.resume();
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    stream.end(frame);
  }).finally(() => session.close());
}

describe.each(STACKS)("gRPC served by %s", (stack) => {
  let server: ServerProcess;
  let clients: GrpcClients;
  const extra: grpc.Client[] = [];

  /** The `call` log line of a request id, once the server has printed it. */
  const callLog = (requestId: string) =>
    vi.waitFor(
      () => {
        const line = server.logs.find((l) => l.reqId === requestId && l.msg === "call");
        if (!line) throw new Error(`no call log line for ${requestId}`);
        return line;
      },
      { timeout: 10_000 },
    );

  const auditOf = (requestId: string) => {
    const db = new Database(sqliteFile(server.dataDir), { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare("select principal, operation, outcome, error_code from kms_audit where request_id = ?")
        .all(requestId);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    server = await startServer({ env: { KMS_GRPC_SERVER: stack, KMS_WORKERS: "1", KMS_KEYPAIR_CONCURRENCY: "1" } });
    clients = grpcClients(server.url);
  });

  afterAll(async () => {
    clients?.close();
    for (const c of extra) c.close();
    await server?.stop();
  });

  it("names itself in the start-up log and in each call's log line", async () => {
    expect(server.logs.find((l) => l.msg === "kms listening")?.grpc).toBe(stack);
    const id = `stack-${randomUUID()}`;
    await clients.keys.CreateKey({}, withRequestId(id));
    expect((await callLog(id)).stack).toBe(stack);
  });

  it("serves KeyService: create, describe, list with paging", async () => {
    const created = await clients.keys.CreateKey({ description: `on ${stack}`, tags: { stack } });
    expect(created.key.keyId).toMatch(UUID);
    const described = await clients.keys.DescribeKey({ keyId: created.key.keyId });
    expect(described.key).toMatchObject({ description: `on ${stack}`, keyState: "KEY_STATE_ENABLED", tags: { stack } });
    const page = await clients.keys.ListKeys({ pageSize: 1 });
    expect(page.keys).toHaveLength(1);
    expect(page.nextPageToken).not.toBe("");
  });

  it("serves DataKeyService: a data key that decrypts under its context, and an EC pair", async () => {
    const { key } = await clients.keys.CreateKey({});
    const dataKey = await clients.dataKeys.GenerateDataKey({
      keyId: key.keyId,
      keySpec: "DATA_KEY_SPEC_AES_256",
      encryptionContext: { stack },
    });
    expect(dataKey.plaintext).toHaveLength(32);
    const opened = await clients.crypto.Decrypt({
      ciphertextBlob: dataKey.ciphertextBlob,
      encryptionContext: { stack },
    });
    expect(opened.plaintext.equals(dataKey.plaintext)).toBe(true);

    const pair = await clients.dataKeys.GenerateDataKeyPair({
      keyId: key.keyId,
      keyPairSpec: "KEY_PAIR_SPEC_EC_P256",
      keyFormat: "KEY_FORMAT_PEM",
    });
    expect(createPublicKey(pair.publicKey.toString()).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    const privateKey = await clients.crypto.Decrypt({
      keyId: key.keyId,
      ciphertextBlob: pair.privateKeyCiphertextBlob,
      iv: pair.iv,
      algorithm: pair.algorithm,
    });
    expect(privateKey.plaintext.equals(pair.privateKeyPlaintext)).toBe(true);
  });

  it("serves CryptoService: encrypt/decrypt, sign/verify, MAC", async () => {
    const aes = (await clients.keys.CreateKey({})).key.keyId;
    const sealed = await clients.crypto.Encrypt({ keyId: aes, plaintext: Buffer.from("hello") });
    const opened = await clients.crypto.Decrypt({
      keyId: aes,
      ciphertextBlob: sealed.ciphertextBlob,
      iv: sealed.iv,
      algorithm: sealed.algorithm,
    });
    expect(opened.plaintext.toString()).toBe("hello");

    const ec = (await clients.keys.CreateKey({ keySpec: "KEY_SPEC_EC_P256", keyUsage: "KEY_USAGE_SIGN_VERIFY" })).key
      .keyId;
    const message = Buffer.from("signed");
    const { signature } = await clients.crypto.Sign({ keyId: ec, message });
    expect((await clients.crypto.Verify({ keyId: ec, message, signature })).signatureValid).toBe(true);
    expect((await clients.crypto.Verify({ keyId: ec, message: Buffer.from("other"), signature })).signatureValid).toBe(
      false,
    );

    const hmac = (
      await clients.keys.CreateKey({ keySpec: "KEY_SPEC_HMAC_256", keyUsage: "KEY_USAGE_GENERATE_VERIFY_MAC" })
    ).key.keyId;
    const { mac } = (await clients.crypto.GenerateMac({ keyId: hmac, message })) as { mac: Buffer };
    expect(mac).toHaveLength(32);
    expect(((await clients.crypto.VerifyMac({ keyId: hmac, message, mac })) as { macValid: boolean }).macValid).toBe(
      true,
    );
  });

  it("sends errors with their code and ErrorInfo reason", async () => {
    await expectGrpcError(clients.keys.DescribeKey({ keyId: UNKNOWN_KEY }), grpc.status.NOT_FOUND, "NotFoundException");
    await expectGrpcError(
      clients.keys.CreateKey({ keySpec: "KEY_SPEC_EC_P256", keyUsage: "KEY_USAGE_ENCRYPT_DECRYPT" }),
      grpc.status.INVALID_ARGUMENT,
      "ValidationException",
    );
    const { key } = await clients.keys.CreateKey({});
    const dataKey = await clients.dataKeys.GenerateDataKey({
      keyId: key.keyId,
      numberOfBytes: 16,
      encryptionContext: { a: "1" },
    });
    await expectGrpcError(
      clients.crypto.Decrypt({ ciphertextBlob: dataKey.ciphertextBlob, encryptionContext: { a: "2" } }),
      grpc.status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
    await clients.keys.DisableKey({ keyId: key.keyId });
    await expectGrpcError(
      clients.crypto.Encrypt({ keyId: key.keyId, plaintext: Buffer.from("x") }),
      grpc.status.FAILED_PRECONDITION,
      "DisabledException",
    );
  });

  it("refuses calls without a valid token, and audits the authenticated ones", async () => {
    const anonymous = grpcClients(server.url, null);
    const wrong = grpcClients(server.url, "kms_not-a-real-token-000000000000");
    try {
      await expectGrpcError(anonymous.keys.ListKeys({}), grpc.status.UNAUTHENTICATED, "UnrecognizedClientException");
      await expectGrpcError(wrong.keys.ListKeys({}), grpc.status.UNAUTHENTICATED, "UnrecognizedClientException");
    } finally {
      anonymous.close();
      wrong.close();
    }
    const ok = `audit-ok-${randomUUID()}`;
    const failed = `audit-err-${randomUUID()}`;
    await clients.keys.ListKeys({}, withRequestId(ok));
    await clients.keys.DescribeKey({ keyId: UNKNOWN_KEY }, withRequestId(failed)).catch(() => undefined);
    expect(auditOf(ok)).toEqual([
      { principal: "admin", operation: "kms.v1.KeyService/ListKeys", outcome: "ok", error_code: null },
    ]);
    expect(auditOf(failed)).toEqual([
      { principal: "admin", operation: "kms.v1.KeyService/DescribeKey", outcome: "error", error_code: "NotFound" },
    ]);
  });

  it("echoes a well-formed x-request-id and makes one up otherwise, on success and on error", async () => {
    const echoed = await rawGrpc(server.url, "/kms.v1.KeyService/ListKeys", new Uint8Array(), {
      "x-request-id": "stacks-1",
    });
    expect(echoed.status["grpc-status"]).toBe("0");
    expect(echoed.headers["x-request-id"]).toBe("stacks-1");
    const failed = await rawGrpc(server.url, "/kms.v1.KeyService/DescribeKey", Uint8Array.of(0x0a, 0x01, 0x78), {
      "x-request-id": "has space",
    });
    expect(failed.status["grpc-status"]).toBe(String(grpc.status.NOT_FOUND));
    expect(failed.headers["x-request-id"]).toMatch(UUID);
  });

  it("refuses bytes that are not the request message, and unknown fields, with INVALID_ARGUMENT", async () => {
    // Field 1 (key_id, a string) claims 5 bytes and carries 1.
    const truncated = await rawGrpc(server.url, "/kms.v1.KeyService/DescribeKey", Uint8Array.of(0x0a, 0x05, 0x61), {});
    expect(truncated.status["grpc-status"]).toBe(String(grpc.status.INVALID_ARGUMENT));
    // Field 99 (varint 1) does not exist in DescribeKeyRequest: refused, not ignored.
    const unknown = await rawGrpc(server.url, "/kms.v1.KeyService/DescribeKey", Uint8Array.of(0x98, 0x06, 0x01), {});
    expect(unknown.status["grpc-status"]).toBe(String(grpc.status.INVALID_ARGUMENT));
  });

  it("ends a call at the deadline the client sent (grpc-timeout) and records it as cancelled", async () => {
    const { key } = await clients.keys.CreateKey({});
    const request = create(GenerateDataKeyPairRequestSchema, { keyId: key.keyId, keyPairSpec: KeyPairSpec.RSA_4096 });
    // A rare RSA_4096 is ready within the 50 ms: served, it says nothing about deadlines; try again.
    let id = "";
    let answer: Awaited<ReturnType<typeof rawGrpc>> | undefined;
    for (let attempt = 0; attempt < 5 && (answer === undefined || answer.status["grpc-status"] === "0"); attempt++) {
      id = `deadline-${randomUUID()}`;
      answer = await rawGrpc(
        server.url,
        "/kms.v1.DataKeyService/GenerateDataKeyPair",
        toBinary(GenerateDataKeyPairRequestSchema, request),
        { "grpc-timeout": "50m", "x-request-id": id },
      );
    }
    expect(answer?.status["grpc-status"]).toBe(String(grpc.status.DEADLINE_EXCEEDED));
    expect((await callLog(id)).code).toBe("Cancelled");
  });

  it("stops work for a call the client cancels, and records it as cancelled", async () => {
    const { key } = await clients.keys.CreateKey({});
    const call = clients.raw.dataKeys as unknown as Record<
      string,
      (req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null) => void) => grpc.ClientUnaryCall
    >;
    // An RSA_4096 takes 0.3–3.4 s here, but now and then one is ready before the cancel: that call
    // was served, which says nothing about cancellation, so it is tried again with a new one.
    let id = "";
    let outcome: grpc.ServiceError | null = null;
    for (let attempt = 0; attempt < 5 && outcome === null; attempt++) {
      id = `cancel-${randomUUID()}`;
      outcome = await new Promise<grpc.ServiceError | null>((res) => {
        const pending = call.GenerateDataKeyPair!.call(
          clients.raw.dataKeys,
          { keyId: key.keyId, keyPairSpec: "KEY_PAIR_SPEC_RSA_4096" },
          withRequestId(id),
          res,
        );
        setTimeout(() => pending.cancel(), 100);
      });
    }
    expect(outcome?.code).toBe(grpc.status.CANCELLED);
    expect((await callLog(id)).code).toBe("Cancelled");
    // The permit came back: the next pair request is served, not throttled.
    const pair = await clients.dataKeys.GenerateDataKeyPair({ keyId: key.keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256" });
    expect(pair.keyId).toBe(key.keyId);
  });

  it("answers health and reflection without credentials", async () => {
    const health = new infra.grpc.health.v1.Health(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const reflection = new infra.grpc.reflection.v1.ServerReflection(
      `127.0.0.1:${server.port}`,
      grpc.credentials.createInsecure(),
    );
    extra.push(health, reflection);
    const status = await new Promise<{ status: string }>((res, rej) =>
      (health as unknown as { Check(r: object, cb: (e: Error | null, v: { status: string }) => void): void }).Check(
        { service: "kms.v1.DataKeyService" },
        (e, v) => (e ? rej(e) : res(v)),
      ),
    );
    expect(status.status).toBe("SERVING");
    const names = await new Promise<string[]>((res, rej) => {
      const stream = (
        reflection as unknown as {
          ServerReflectionInfo(): grpc.ClientDuplexStream<
            object,
            { listServicesResponse?: { service: { name: string }[] } }
          >;
        }
      ).ServerReflectionInfo();
      const out: string[] = [];
      stream.on("data", (d) =>
        out.push(...(d.listServicesResponse?.service.map((s: { name: string }) => s.name) ?? [])),
      );
      stream.on("error", rej);
      stream.on("end", () => res(out));
      stream.write({ listServices: "" });
      stream.end();
    });
    expect(names).toEqual(
      expect.arrayContaining([
        "kms.v1.KeyService",
        "kms.v1.DataKeyService",
        "kms.v1.CryptoService",
        "grpc.health.v1.Health",
      ]),
    );
  });
});
