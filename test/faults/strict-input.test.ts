import { gzipSync } from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeKeyRequestSchema } from "../../gen/kms/v1/key_service_pb.js";
import { EncryptRequestSchema } from "../../gen/kms/v1/crypto_service_pb.js";
import { connectOutcome, grpcFrame, grpcOutcome, RawH2 } from "../helpers/raw-h2.js";
import { awsCall, connectJson } from "../helpers/security.js";
import { ADMIN_AUTH, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * Regression tests for input the service once took wrongly: Connect JSON that named unknown
 * fields or enum values (silently ignored: `RSA_4096` made an AES key), a `__proto__` map key
 * (dropped before validation, so an encryption context entry was not bound), malformed protobuf
 * (answered `internal`/500) and SigV4 requests whose `x-amz-target` was not signed (replayable
 * as another operation). Each case goes to a real server process over the real wire.
 */

let server: ServerProcess;
let h2: RawH2;
let keyId: string;
const CREDENTIALS = { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey };
const GRPC_INVALID_ARGUMENT = 3;

beforeAll(async () => {
  server = await startServer();
  h2 = new RawH2(server.url);
  const created = await connectJson(server.url, "kms.v1.KeyService/CreateKey", {}, ADMIN_AUTH);
  keyId = created.body.key.keyId;
});

afterAll(async () => {
  h2?.close();
  await server?.stop();
});

async function keyCount(): Promise<number> {
  const res = await connectJson(server.url, "kms.v1.KeyService/ListKeys", { pageSize: 1000 }, ADMIN_AUTH);
  return res.body.keys.length;
}

/** An EncryptRequest whose encryption_context holds one entry, encoded by hand (a JS object cannot hold `__proto__`). */
function encryptWithContextKey(key: string): Uint8Array {
  const base = toBinary(EncryptRequestSchema, create(EncryptRequestSchema, { keyId, plaintext: Buffer.from("hi") }));
  const entry = new BinaryWriter().tag(1, WireType.LengthDelimited).string(key);
  entry.tag(2, WireType.LengthDelimited).string("tenant-A");
  const field = new BinaryWriter().tag(4, WireType.LengthDelimited).bytes(entry.finish()).finish();
  return Buffer.concat([base, field]);
}

const grpcHeaders = { "content-type": "application/grpc", te: "trailers", ...ADMIN_AUTH };
const describeKey = "/kms.v1.KeyService/DescribeKey";

describe("Connect JSON refuses what it does not understand (invalid_argument naming the field)", () => {
  it("refuses an unknown KeySpec name instead of making an AES key", async () => {
    const before = await keyCount();
    const res = await connectJson(server.url, "kms.v1.KeyService/CreateKey", { keySpec: "RSA_4096" }, ADMIN_AUTH);
    expect({ status: res.status, code: res.code, reason: res.reason }).toEqual({
      status: 400,
      code: "invalid_argument",
      reason: "ValidationException",
    });
    expect(res.body.message).toContain("key_spec");
    const usage = { keySpec: "KEY_SPEC_RSA_2048", keyUsage: "SIGN_VERIFY" };
    const res2 = await connectJson(server.url, "kms.v1.KeyService/CreateKey", usage, ADMIN_AUTH);
    expect({ status: res2.status, code: res2.code }).toEqual({ status: 400, code: "invalid_argument" });
    expect(res2.body.message).toContain("key_usage");
    expect(await keyCount()).toBe(before);
  });

  it("refuses an unknown field, at the top and nested in a map value's message", async () => {
    const res = await connectJson(server.url, "kms.v1.KeyService/CreateKey", { descripton: "typo" }, ADMIN_AUTH);
    expect({ status: res.status, code: res.code }).toEqual({ status: 400, code: "invalid_argument" });
    expect(res.body.message).toContain("descripton");
  });

  it("still accepts both the JSON name and the proto name of a field", async () => {
    for (const body of [{ keyId }, { key_id: keyId }]) {
      const res = await connectJson(server.url, "kms.v1.KeyService/DescribeKey", body, ADMIN_AUTH);
      expect(res.status).toBe(200);
    }
  });
});

describe("__proto__ as a map key is refused on every surface, never dropped", () => {
  it("AWS JSON: EncryptionContext and Tags", async () => {
    const encrypt = await awsCall(server.url, {
      operation: "Encrypt",
      credentials: CREDENTIALS,
      body: `{"KeyId":"${keyId}","Plaintext":"aGk=","EncryptionContext":{"__proto__":"tenant-A"}}`,
    });
    expect({ status: encrypt.status, type: encrypt.type }).toEqual({ status: 400, type: "ValidationException" });
    for (const operation of ["CreateKey", "TagResource"]) {
      const tags = await awsCall(server.url, {
        operation,
        credentials: CREDENTIALS,
        body: `{"KeyId":"${keyId}","Tags":[{"TagKey":"__proto__","TagValue":"x"}]}`,
      });
      expect({ operation, status: tags.status, type: tags.type }).toEqual({
        operation,
        status: 400,
        type: "ValidationException",
      });
    }
  });

  it("Connect JSON: encryptionContext", async () => {
    const body = `{"keyId":"${keyId}","plaintext":"aGk=","encryptionContext":{"__proto__":"tenant-A"}}`;
    const res = await h2.request(
      "/kms.v1.CryptoService/Encrypt",
      { "content-type": "application/json", ...ADMIN_AUTH },
      body,
    );
    expect(connectOutcome(res)).toEqual({ status: 400, code: "invalid_argument", reason: "ValidationException" });
  });

  it("gRPC binary: encryption_context (a control key is accepted)", async () => {
    const path = "/kms.v1.CryptoService/Encrypt";
    const control = grpcOutcome(await h2.request(path, grpcHeaders, grpcFrame(encryptWithContextKey("__prota__"))));
    expect(control.code).toBe(0);
    const res = grpcOutcome(await h2.request(path, grpcHeaders, grpcFrame(encryptWithContextKey("__proto__"))));
    expect({ code: res.code, reason: res.reason }).toEqual({
      code: GRPC_INVALID_ARGUMENT,
      reason: "ValidationException",
    });
  });
});

describe("malformed protobuf is invalid_argument (HTTP 400), never internal", () => {
  const valid = () => Buffer.from(toBinary(DescribeKeyRequestSchema, create(DescribeKeyRequestSchema, { keyId })));
  const malformed: Record<string, () => Buffer> = {
    truncated: () => valid().subarray(0, 10),
    "length past the end": () => Buffer.from([0x0a, 0x7f, 0x61]),
    "wrong wire type": () => Buffer.from([0x08, 0x01]),
    "invalid UTF-8 in a string": () => Buffer.from([0x0a, 0x02, 0xc3, 0x28]),
    "field number 0": () => Buffer.from([0x02, 0x00]),
  };

  it("gRPC (HTTP/2 frames), also frames flagged compressed without an encoding, and no message at all", async () => {
    const bodies: Record<string, Buffer> = {};
    for (const [name, make] of Object.entries(malformed)) bodies[name] = grpcFrame(make());
    bodies["compressed flag, no grpc-encoding"] = grpcFrame(valid(), 1);
    bodies["frame cut short"] = grpcFrame(valid()).subarray(0, 8);
    bodies["no message"] = Buffer.alloc(0);
    bodies["two messages"] = Buffer.concat([grpcFrame(valid()), grpcFrame(valid())]);
    for (const [name, body] of Object.entries(bodies)) {
      const res = grpcOutcome(await h2.request(describeKey, grpcHeaders, body));
      expect({ name, code: res.code, reason: res.reason }).toEqual({
        name,
        code: GRPC_INVALID_ARGUMENT,
        reason: "ValidationException",
      });
    }
  });

  it("gRPC-Web", async () => {
    const headers = { "content-type": "application/grpc-web+proto", ...ADMIN_AUTH };
    for (const [name, make] of Object.entries(malformed)) {
      const res = grpcOutcome(await h2.request(describeKey, headers, grpcFrame(make())));
      expect({ name, code: res.code }).toEqual({ name, code: GRPC_INVALID_ARGUMENT });
    }
  });

  it("Connect binary", async () => {
    const headers = { "content-type": "application/proto", ...ADMIN_AUTH };
    for (const [name, make] of Object.entries(malformed)) {
      const res = connectOutcome(await h2.request(describeKey, headers, make()));
      expect({ name, ...res }).toEqual({ name, status: 400, code: "invalid_argument", reason: "ValidationException" });
    }
  });

  it("Connect GET (message in the query) and gzip-compressed gRPC frames", async () => {
    for (const [name, make] of Object.entries(malformed)) {
      const query = `encoding=proto&base64=1&connect=v1&message=${make().toString("base64url")}`;
      const res = await fetch(`${server.url}${describeKey}?${query}`, { headers: ADMIN_AUTH });
      expect({ name, status: res.status, code: (await res.json()).code }).toEqual({
        name,
        status: 400,
        code: "invalid_argument",
      });
    }
    const gzip = { ...grpcHeaders, "grpc-encoding": "gzip" };
    const ok = grpcOutcome(await h2.request(describeKey, gzip, grpcFrame(gzipSync(valid()), 1)));
    expect(ok.code).toBe(0);
    for (const [name, body] of [
      ["malformed message", gzipSync(malformed.truncated!())],
      ["not gzip", Buffer.from("not gzip at all")],
    ] as const) {
      const res = grpcOutcome(await h2.request(describeKey, gzip, grpcFrame(body, 1)));
      expect({ name, code: res.code }).toEqual({ name, code: GRPC_INVALID_ARGUMENT });
    }
  });

  it("a well-formed message still works on each protocol", async () => {
    expect(grpcOutcome(await h2.request(describeKey, grpcHeaders, grpcFrame(valid()))).code).toBe(0);
    const web = { "content-type": "application/grpc-web+proto", ...ADMIN_AUTH };
    expect(grpcOutcome(await h2.request(describeKey, web, grpcFrame(valid()))).code).toBe(0);
    const binary = { "content-type": "application/proto", ...ADMIN_AUTH };
    expect((await h2.request(describeKey, binary, valid())).status).toBe(200);
  });
});

describe("SigV4: every x-amz-* header must be signed", () => {
  it("refuses a request whose x-amz-target is unsigned, so it cannot be replayed as another operation", async () => {
    const body = JSON.stringify({ KeyId: keyId });
    const unsigned = await awsCall(server.url, {
      operation: "DescribeKey",
      credentials: CREDENTIALS,
      body,
      unsignedHeaders: ["x-amz-target"],
    });
    expect({ status: unsigned.status, type: unsigned.type }).toEqual({
      status: 400,
      type: "IncompleteSignatureException",
    });
    const replayed = await awsCall(server.url, {
      operation: "DescribeKey",
      credentials: CREDENTIALS,
      body,
      unsignedHeaders: ["x-amz-target"],
      tamper: (req) => {
        req.headers["x-amz-target"] = "TrentService.DisableKey";
      },
    });
    expect(replayed.type).toBe("IncompleteSignatureException");
    const described = await awsCall(server.url, { operation: "DescribeKey", credentials: CREDENTIALS, body });
    expect(described.body.KeyMetadata.KeyState).toBe("Enabled");
  });
});
