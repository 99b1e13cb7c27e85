import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CreateKeyCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminService } from "../../gen/kms/v1/admin_service_pb.js";
import { CryptoService } from "../../gen/kms/v1/crypto_service_pb.js";
import { DataKeyService } from "../../gen/kms/v1/data_key_service_pb.js";
import { KeyService } from "../../gen/kms/v1/key_service_pb.js";
import { OPERATIONS } from "../../src/aws/operations/index.js";
import { expectGrpcError, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { awsCall, awsClient, awsErrorName, connectJson, type PrincipalCredentials, rpc } from "../helpers/security.js";
import { ADMIN_AUTH, ROOT, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * Authentication everywhere (docs/security.md): nothing but `/healthz`, gRPC health and reflection
 * answers without credentials. The tables below are generated from the service descriptors and
 * the AWS operation table, so an RPC or operation added later is covered without editing this file.
 */

const SERVICES = [KeyService, DataKeyService, CryptoService, AdminService];
const CONNECT_METHODS = SERVICES.flatMap((s) => s.methods.map((m) => `${s.typeName}/${m.name}`));
const AWS_OPERATIONS = Object.keys(OPERATIONS);

/** A principal nobody created: well-formed credentials that identify no one. */
const STRANGER = {
  token: "kms_stranger-token-0123456789abcdef",
  accessKeyId: "AKIASTRANGER00000001",
  secretAccessKey: "stranger-secret-access-key-0123456789",
};

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe("the tables cover the whole surface", () => {
  it("lists every RPC of the three services and every AWS operation", () => {
    // A sanity check on the generated tables themselves: if a descriptor import broke and gave
    // no methods, every test below would pass vacuously.
    expect(CONNECT_METHODS.length).toBeGreaterThanOrEqual(40);
    expect(CONNECT_METHODS).toEqual(
      expect.arrayContaining([
        "kms.v1.KeyService/CreateKey",
        "kms.v1.KeyService/PutKeyPolicy",
        "kms.v1.KeyService/CreateGrant",
        "kms.v1.KeyService/RevokeGrant",
        "kms.v1.DataKeyService/GenerateDataKey",
        "kms.v1.CryptoService/Encrypt",
        "kms.v1.CryptoService/GenerateRandom",
      ]),
    );
    expect(AWS_OPERATIONS.length).toBeGreaterThanOrEqual(39);
    expect(AWS_OPERATIONS).toEqual(expect.arrayContaining(["ListKeys", "CreateGrant", "PutKeyPolicy", "Encrypt"]));
  });
});

describe("Connect JSON refuses every RPC without valid credentials", () => {
  const CASES: [string, Record<string, string>][] = [
    ["no credentials", {}],
    ["an unknown bearer token", { authorization: `Bearer ${STRANGER.token}` }],
    ["the admin token with one character changed", { authorization: `Bearer ${TEST_ADMIN.token.slice(0, -1)}X` }],
    ["another scheme", { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` }],
    ["a bare token without the scheme", { authorization: TEST_ADMIN.token }],
  ];

  it.each(CASES)(
    "with %s: every method answers 401 unauthenticated / UnrecognizedClientException",
    async (_, headers) => {
      const results = await Promise.all(
        CONNECT_METHODS.map(async (path) => {
          const r = await connectJson(server.url, path, {}, headers);
          return [path, { status: r.status, code: r.code, reason: r.reason }] as const;
        }),
      );
      const expected = { status: 401, code: "unauthenticated", reason: "UnrecognizedClientException" };
      expect(Object.fromEntries(results)).toEqual(Object.fromEntries(CONNECT_METHODS.map((p) => [p, expected])));
    },
  );

  it("lets the same request through with the admin token (the refusals above are about credentials)", async () => {
    const r = await connectJson(server.url, "kms.v1.KeyService/ListKeys", {}, ADMIN_AUTH);
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body.keys ?? [])).toBe(true);
  });
});

describe("gRPC refuses every RPC without valid credentials", () => {
  let anonymous: GrpcClients;
  let stranger: GrpcClients;
  beforeAll(() => {
    anonymous = grpcClients(server.url, null);
    stranger = grpcClients(server.url, STRANGER.token);
  });
  afterAll(() => {
    anonymous?.close();
    stranger?.close();
  });

  const byClient = [
    ["keys", KeyService],
    ["dataKeys", DataKeyService],
    ["crypto", CryptoService],
  ] as const;
  const methods = byClient.flatMap(([client, svc]) => svc.methods.map((m) => [client, m.name] as const));

  it.each(methods)("%s.%s: UNAUTHENTICATED without a token and with an unknown one", async (client, method) => {
    await expectGrpcError(
      rpc(anonymous, client, method, {}),
      grpc.status.UNAUTHENTICATED,
      "UnrecognizedClientException",
    );
    await expectGrpcError(
      rpc(stranger, client, method, {}),
      grpc.status.UNAUTHENTICATED,
      "UnrecognizedClientException",
    );
  });
});

describe("the AWS endpoint refuses every operation without a valid signature", () => {
  it("unsigned: every operation answers 400 UnrecognizedClientException", async () => {
    const results = await Promise.all(
      AWS_OPERATIONS.map(async (operation) => {
        const r = await awsCall(server.url, { operation, credentials: null });
        return [operation, { status: r.status, type: r.type }] as const;
      }),
    );
    const expected = { status: 400, type: "UnrecognizedClientException" };
    expect(Object.fromEntries(results)).toEqual(Object.fromEntries(AWS_OPERATIONS.map((o) => [o, expected])));
  });

  it("signed with an access key no principal has: every operation answers UnrecognizedClientException", async () => {
    const results = await Promise.all(
      AWS_OPERATIONS.map(async (operation) => {
        const r = await awsCall(server.url, { operation, credentials: STRANGER });
        return [operation, { status: r.status, type: r.type }] as const;
      }),
    );
    const expected = { status: 400, type: "UnrecognizedClientException" };
    expect(Object.fromEntries(results)).toEqual(Object.fromEntries(AWS_OPERATIONS.map((o) => [o, expected])));
  });

  it("signed with the admin's key id but a wrong secret: every operation answers InvalidSignatureException", async () => {
    const credentials = { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: STRANGER.secretAccessKey };
    const results = await Promise.all(
      AWS_OPERATIONS.map(async (operation) => {
        const r = await awsCall(server.url, { operation, credentials });
        return [operation, { status: r.status, type: r.type }] as const;
      }),
    );
    const expected = { status: 400, type: "InvalidSignatureException" };
    expect(Object.fromEntries(results)).toEqual(Object.fromEntries(AWS_OPERATIONS.map((o) => [o, expected])));
  });

  it("a bearer token does not authenticate on the AWS endpoint", async () => {
    const r = await awsCall(server.url, {
      operation: "ListKeys",
      credentials: null,
      tamper: (req) => {
        req.headers.authorization = `Bearer ${TEST_ADMIN.token}`;
      },
    });
    expect({ status: r.status, type: r.type }).toEqual({ status: 400, type: "IncompleteSignatureException" });
  });

  it("an unknown target is refused before authentication with UnknownOperationException", async () => {
    const r = await awsCall(server.url, { operation: "NoSuchOperation", credentials: null });
    expect({ status: r.status, type: r.type }).toEqual({ status: 400, type: "UnknownOperationException" });
  });
});

describe("what answers without credentials", () => {
  const protoRoot = join(ROOT, "third_party/proto");
  const definition = protoLoader.loadSync(["grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto"], {
    includeDirs: [protoRoot],
    keepCase: true,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  // biome-ignore lint/suspicious/noExplicitAny: loadPackageDefinition returns an untyped namespace tree.
  const loaded = grpc.loadPackageDefinition(definition) as any;
  const target = () => server.url.replace(/^http:\/\//, "");

  it("/healthz answers 200 SERVING", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
  });

  it("gRPC health Check answers SERVING", async () => {
    const client = new loaded.grpc.health.v1.Health(target(), grpc.credentials.createInsecure());
    try {
      const status = await new Promise<string>((res, rej) =>
        client.Check({ service: "" }, (err: grpc.ServiceError | null, r: { status: string }) =>
          err ? rej(err) : res(r.status),
        ),
      );
      expect(status).toBe("SERVING");
    } finally {
      client.close();
    }
  });

  it("gRPC reflection lists the kms services", async () => {
    const client = new loaded.grpc.reflection.v1.ServerReflection(target(), grpc.credentials.createInsecure());
    try {
      const names = await new Promise<string[]>((res, rej) => {
        const call = client.ServerReflectionInfo();
        const got: string[] = [];
        call.on("data", (r: { list_services_response?: { service: { name: string }[] } }) => {
          for (const s of r.list_services_response?.service ?? []) got.push(s.name);
        });
        call.on("error", rej);
        call.on("end", () => res(got));
        call.write({ list_services: "" });
        call.end();
      });
      expect(names).toEqual(
        expect.arrayContaining(["kms.v1.KeyService", "kms.v1.DataKeyService", "kms.v1.CryptoService"]),
      );
    } finally {
      client.close();
    }
  });

  it("/metrics answers 401 without a token or with a wrong one, 200 with the admin token", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${STRANGER.token}` } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${server.url}/metrics`, { headers: ADMIN_AUTH });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^# HELP /m);
  });
});

describe("SigV4", () => {
  const admin = { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey };
  const MINUTE = 60_000;

  it("the real AWS SDK with the admin's keys passes", async () => {
    const kms = awsClient(server.url, admin);
    try {
      const out = await kms.send(new ListKeysCommand({}));
      expect(out.$metadata.httpStatusCode).toBe(200);
      expect(Array.isArray(out.Keys)).toBe(true);
    } finally {
      kms.destroy();
    }
  });

  it("the real AWS SDK with a wrong secret fails with InvalidSignatureException", async () => {
    const kms = awsClient(server.url, { ...admin, secretAccessKey: `${admin.secretAccessKey}x` });
    try {
      expect(await awsErrorName(kms.send(new ListKeysCommand({})))).toBe("InvalidSignatureException");
    } finally {
      kms.destroy();
    }
  });

  it("the real AWS SDK with an unknown access key fails with UnrecognizedClientException", async () => {
    const kms = awsClient(server.url, STRANGER);
    try {
      expect(await awsErrorName(kms.send(new ListKeysCommand({})))).toBe("UnrecognizedClientException");
    } finally {
      kms.destroy();
    }
  });

  it("a correct hand-made signature passes, with and without x-amz-content-sha256", async () => {
    for (const applyChecksum of [true, false]) {
      const r = await awsCall(server.url, { operation: "ListKeys", credentials: admin, applyChecksum });
      expect({ applyChecksum, status: r.status, type: r.type }).toEqual({
        applyChecksum,
        status: 200,
        type: undefined,
      });
    }
  });

  it("an altered body after signing fails with InvalidSignatureException", async () => {
    for (const applyChecksum of [true, false]) {
      const r = await awsCall(server.url, {
        operation: "ListKeys",
        body: JSON.stringify({ Limit: 10 }),
        credentials: admin,
        applyChecksum,
        tamper: (req) => {
          req.body = JSON.stringify({ Limit: 11 });
        },
      });
      expect({ applyChecksum, status: r.status, type: r.type }).toEqual({
        applyChecksum,
        status: 400,
        type: "InvalidSignatureException",
      });
    }
  });

  it("x-amz-target changed to another operation after signing fails with InvalidSignatureException", async () => {
    const r = await awsCall(server.url, {
      operation: "ListKeys",
      credentials: admin,
      tamper: (req) => {
        req.headers["x-amz-target"] = "TrentService.ListAliases";
      },
    });
    expect({ status: r.status, type: r.type }).toEqual({ status: 400, type: "InvalidSignatureException" });
  });

  it("an altered signed custom header fails with InvalidSignatureException; the unaltered one passes", async () => {
    const signedHeaders = { "x-kms-test-tag": "original" };
    const good = await awsCall(server.url, { operation: "ListKeys", credentials: admin, signedHeaders });
    expect(good.status).toBe(200);
    const bad = await awsCall(server.url, {
      operation: "ListKeys",
      credentials: admin,
      signedHeaders,
      tamper: (req) => {
        req.headers["x-kms-test-tag"] = "altered";
      },
    });
    expect({ status: bad.status, type: bad.type }).toEqual({ status: 400, type: "InvalidSignatureException" });
  });

  it("x-amz-date 16 minutes old or ahead fails with InvalidSignatureException; 14 minutes passes", async () => {
    const at = (offset: number) =>
      awsCall(server.url, { operation: "ListKeys", credentials: admin, signingDate: new Date(Date.now() + offset) });
    const [old16, ahead16, old14, ahead14] = await Promise.all([
      at(-16 * MINUTE),
      at(16 * MINUTE),
      at(-14 * MINUTE),
      at(14 * MINUTE),
    ]);
    expect([old16, ahead16].map((r) => ({ status: r.status, type: r.type }))).toEqual([
      { status: 400, type: "InvalidSignatureException" },
      { status: 400, type: "InvalidSignatureException" },
    ]);
    expect([old14.status, ahead14.status]).toEqual([200, 200]);
  });

  it.each([
    ["garbage", "garbage"],
    ["the algorithm alone", "AWS4-HMAC-SHA256"],
    [
      "no Signature",
      `AWS4-HMAC-SHA256 Credential=${TEST_ADMIN.accessKeyId}/20260101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date`,
    ],
    [
      "a short Signature",
      `AWS4-HMAC-SHA256 Credential=${TEST_ADMIN.accessKeyId}/20260101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`,
    ],
  ])("an Authorization header of %s fails with IncompleteSignatureException", async (_, value) => {
    const r = await awsCall(server.url, {
      operation: "ListKeys",
      credentials: null,
      tamper: (req) => {
        req.headers.authorization = value;
        req.headers["x-amz-date"] = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
      },
    });
    expect({ status: r.status, type: r.type }).toEqual({ status: 400, type: "IncompleteSignatureException" });
  });

  it("a signature that leaves x-amz-date unsigned fails with IncompleteSignatureException", async () => {
    const r = await awsCall(server.url, {
      operation: "ListKeys",
      credentials: admin,
      tamper: (req) => {
        req.headers.authorization = req.headers.authorization!.replace(/SignedHeaders=[^,]+/, "SignedHeaders=host");
      },
    });
    expect({ status: r.status, type: r.type }).toEqual({ status: 400, type: "IncompleteSignatureException" });
  });
});

describe("bootstrap without preset admin credentials", () => {
  let fresh: ServerProcess;
  let creds: PrincipalCredentials;
  let file: string;

  beforeAll(async () => {
    fresh = await startServer({
      env: { KMS_ADMIN_TOKEN: "", KMS_ADMIN_ACCESS_KEY_ID: "", KMS_ADMIN_SECRET_ACCESS_KEY: "" },
    });
    file = join(fresh.dataDir, "admin-credentials.json");
    creds = JSON.parse(readFileSync(file, "utf8"));
  });

  afterAll(async () => {
    await fresh?.stop();
  });

  it("writes admin-credentials.json with mode 0600, names the file in the log", () => {
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(creds.name).toBe("admin");
    expect(creds.token).toMatch(/^[A-Za-z0-9._~+/=-]{16,}$/);
    expect(creds.accessKeyId).toMatch(/^[A-Z0-9]{16,}$/);
    expect(creds.secretAccessKey.length).toBeGreaterThanOrEqual(16);
    expect(creds.token).not.toBe(TEST_ADMIN.token);
    expect(fresh.logs.some((l) => l.file === file)).toBe(true);
  });

  it("the written token works over Connect and gRPC; the test preset does not", async () => {
    const ok = await connectJson(
      fresh.url,
      "kms.v1.KeyService/CreateKey",
      { description: "bootstrap" },
      {
        authorization: `Bearer ${creds.token}`,
      },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.key.keyId).toMatch(/^[0-9a-f-]{36}$/);
    const preset = await connectJson(fresh.url, "kms.v1.KeyService/ListKeys", {}, ADMIN_AUTH);
    expect({ status: preset.status, reason: preset.reason }).toEqual({
      status: 401,
      reason: "UnrecognizedClientException",
    });
    const c = grpcClients(fresh.url, creds.token);
    try {
      const listed = await c.keys.ListKeys({});
      expect(listed.keys.map((k) => k.keyId)).toContain(ok.body.key.keyId);
    } finally {
      c.close();
    }
  });

  it("the written AWS keys work with the real AWS SDK", async () => {
    const kms = awsClient(fresh.url, creds);
    try {
      const created = await kms.send(new CreateKeyCommand({ Description: "bootstrap-aws" }));
      const listed = await kms.send(new ListKeysCommand({}));
      expect(listed.Keys?.map((k) => k.KeyId)).toContain(created.KeyMetadata?.KeyId);
    } finally {
      kms.destroy();
    }
  });

  it("none of the three secrets appears in the server's stdout or stderr", async () => {
    const output = [...fresh.stdoutLines, fresh.stderr()].join("\n");
    expect(output).toContain(file);
    for (const secret of [creds.token, creds.secretAccessKey, creds.accessKeyId]) {
      expect(output.includes(secret), "a bootstrap secret is in the output").toBe(false);
      expect(output.includes(Buffer.from(secret).toString("base64")), "a bootstrap secret (base64)").toBe(false);
      expect(output.includes(Buffer.from(secret).toString("hex")), "a bootstrap secret (hex)").toBe(false);
    }
  });
});
