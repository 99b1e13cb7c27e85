import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeKeyCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/edge/metrics.js";
import { createPipeline } from "../../src/edge/pipeline.js";
import { assignRequestId } from "../../src/edge/request-id.js";
import { createAwsHandler } from "../../src/aws/handler.js";
import type { CoreDeps } from "../../src/core/deps.js";
import { INTERNAL_MESSAGE, KmsError } from "../../src/domain/errors.js";
import { signedFetch } from "../helpers/auth.js";
import { external, region, useAwsTarget } from "../helpers/aws-target.js";

/**
 * The AWS JSON 1.1 wire itself: error shapes, headers, and requests the AWS SDKs never send
 * (malformed JSON, wrong member types, unknown targets). The raw-HTTP tests are marked `ours`: they
 * sign with SigV4 as the test admin (an unknown target is answered before authentication, so those
 * go unsigned); the SDK tests also run against AWS KMS when KMS_AWS_TEST_ENDPOINT is set.
 */
const ours = it.skipIf(external !== undefined);
const aws = useAwsTarget();
let keyId: string;

beforeAll(async () => {
  keyId = (await aws.newKey()).KeyId!;
});

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** One request to the AWS endpoint, SigV4-signed as the test admin. */
async function raw(
  target: string | undefined,
  body: string,
  contentType = "application/x-amz-json-1.1",
): Promise<Reply> {
  const res = await signedFetch(aws.endpoint, { target, body, contentType, region });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** The same request without any signature. */
async function unsigned(target: string, body: string): Promise<Reply> {
  const res = await fetch(`${aws.endpoint}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

function expectAwsError(reply: Reply, type: string, status = 400): void {
  expect(reply.status).toBe(status);
  expect(reply.body.__type).toBe(type);
  expect(typeof reply.body.message).toBe("string");
  expect(reply.headers.get("x-amzn-errortype")).toBe(type);
  expect(reply.headers.get("x-amzn-requestid")).toBe(reply.headers.get("x-request-id"));
  expect(reply.headers.get("content-type")).toBe("application/x-amz-json-1.1");
}

describe("the wire (ours: raw HTTP, signed by hand)", () => {
  ours("answers a success with the AWS content type and request id", async () => {
    const reply = await raw("TrentService.DescribeKey", JSON.stringify({ KeyId: keyId }));
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(reply.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers.get("x-amzn-requestid")).toBe(reply.headers.get("x-request-id"));
    expect((reply.body.KeyMetadata as { KeyId: string }).KeyId).toBe(keyId);
    expect(typeof (reply.body.KeyMetadata as { CreationDate: unknown }).CreationDate).toBe("number");
  });

  ours("accepts plain application/json", async () => {
    const reply = await raw("TrentService.GenerateRandom", '{"NumberOfBytes": 8}', "application/json");
    expect(reply.status).toBe(200);
    expect(Buffer.from(reply.body.Plaintext as string, "base64")).toHaveLength(8);
  });

  ours.each([
    "TrentService.NoSuchOperation",
    "TrentService.__proto__",
    "TrentService.constructor",
    "TrentService.hasOwnProperty",
    "OtherService.CreateKey",
    "CreateKey",
    "",
  ])("answers UnknownOperationException for target %j, signed or not", async (target) => {
    expectAwsError(await raw(target, "{}"), "UnknownOperationException");
    // An unknown target is answered before authentication: there is no operation to authorise.
    expectAwsError(await unsigned(target, "{}"), "UnknownOperationException");
  });

  ours("answers SerializationException for malformed JSON and non-object bodies", async () => {
    expectAwsError(await raw("TrentService.CreateKey", "{not json"), "SerializationException");
    expectAwsError(await raw("TrentService.CreateKey", "[1,2]"), "SerializationException");
    expectAwsError(await raw("TrentService.CreateKey", '"text"'), "SerializationException");
  });

  ours("answers SerializationException for an unsupported content type", async () => {
    expectAwsError(await raw("TrentService.CreateKey", "{}", "text/plain"), "SerializationException");
  });

  ours.each([
    ["GenerateDataKey", { KeyId: "k", NumberOfBytes: "x" }],
    ["DescribeKey", { KeyId: 5 }],
    ["Encrypt", { KeyId: "k", Plaintext: 42 }],
    ["Encrypt", { KeyId: "k", Plaintext: "not base64!" }],
    ["Encrypt", { KeyId: "k", Plaintext: "AAA=", EncryptionContext: { a: 1 } }],
    ["Encrypt", { KeyId: "k", Plaintext: "AAA=", EncryptionContext: ["a"] }],
    ["Encrypt", { KeyId: "k", Plaintext: "AAA=", GrantTokens: "t" }],
    ["CreateKey", { Tags: [{ TagKey: "a", TagValue: 1 }] }],
    ["CreateKey", { Tags: { a: "b" } }],
    ["CreateKey", { MultiRegion: "yes" }],
  ])("answers SerializationException for wrong member types: %s %j", async (op, body) => {
    expectAwsError(await raw(`TrentService.${op}`, JSON.stringify(body)), "SerializationException");
  });

  ours("answers ValidationException in AWS's words for a missing required member", async () => {
    const reply = await raw("TrentService.DescribeKey", "{}");
    expectAwsError(reply, "ValidationException");
    expect(reply.body.message).toBe(
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    );
  });

  ours("answers ValidationException for an enum value outside AWS's set", async () => {
    const reply = await raw("TrentService.GenerateDataKey", JSON.stringify({ KeyId: keyId, KeySpec: "AES_512" }));
    expectAwsError(reply, "ValidationException");
    expect(reply.body.message).toContain("Member must satisfy enum value set: [AES_256, AES_128]");
  });

  ours("refuses a body over 1 MiB", async () => {
    const big = JSON.stringify({ KeyId: keyId, Plaintext: Buffer.alloc(800 * 1024).toString("base64") });
    expectAwsError(await raw("TrentService.Encrypt", big), "SerializationException", 413);
  });

  ours("answers DryRun with DryRunOperationException (HTTP 400) instead of performing the call", async () => {
    const body = JSON.stringify({ KeyId: keyId, KeySpec: "AES_256", DryRun: true });
    const reply = await raw("TrentService.GenerateDataKey", body);
    expectAwsError(reply, "DryRunOperationException");
  });

  ours("answers InvalidGrantTokenException for a malformed grant token", async () => {
    const body = JSON.stringify({ KeyId: keyId, KeySpec: "AES_256", GrantTokens: ["x".repeat(8193)] });
    expectAwsError(await raw("TrentService.GenerateDataKey", body), "InvalidGrantTokenException");
  });

  ours("never crashes on hostile input: the server still answers afterwards", async () => {
    for (const body of ["", "null", "{}", '{"KeyId":null}', '{"__proto__":{"KeyId":"x"}}', "\u0000"]) {
      const reply = await raw("TrentService.Encrypt", body);
      expect(reply.status).toBe(400);
    }
    const ok = await raw("TrentService.GenerateRandom", '{"NumberOfBytes":4}');
    expect(ok.status).toBe(200);
  });
});

describe("errors through the AWS SDK", () => {
  it("exposes the AWS error name, HTTP status and request id", async () => {
    let err: (Error & { $metadata?: { httpStatusCode?: number; requestId?: string } }) | undefined;
    try {
      await aws.kms.send(new DescribeKeyCommand({ KeyId: `alias/does-not-exist-${randomBytes(4).toString("hex")}` }));
    } catch (e) {
      err = e as typeof err;
    }
    expect(err?.name).toBe("NotFoundException");
    expect(err?.$metadata?.httpStatusCode).toBe(400);
    expect(err?.$metadata?.requestId).toMatch(/^[0-9a-zA-Z-]{20,}$/);
  });

  it("refuses an unknown access key with UnrecognizedClientException and a wrong secret with InvalidSignatureException", async () => {
    const nameOf = async (client: KMSClient): Promise<string | undefined> => {
      try {
        await client.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 16 }));
        return undefined;
      } catch (e) {
        return (e as Error).name;
      } finally {
        client.destroy();
      }
    };
    // The real access key id (the test admin's, or the one AWS credentials resolve to).
    const { accessKeyId } = await aws.kms.config.credentials();
    const unknownKey = new KMSClient({
      endpoint: aws.endpoint,
      region,
      credentials: { accessKeyId: "AKIDNOSUCHKEY0000000", secretAccessKey: "another-secret" },
    });
    const wrongSecret = new KMSClient({
      endpoint: aws.endpoint,
      region,
      credentials: { accessKeyId, secretAccessKey: "not-the-right-secret-access-key-000000000" },
    });
    expect(await nameOf(unknownKey)).toBe("UnrecognizedClientException");
    expect(await nameOf(wrongSecret)).toBe("InvalidSignatureException");
  });
});

describe("failures a healthy server cannot show (ours: the real handler and pipeline in-process)", () => {
  const KEY = "11111111-2222-3333-4444-555555555555";
  let app: http.Server;
  let url: string;
  const metrics = createMetrics();

  beforeAll(async () => {
    const store = {
      async getKey(id: string) {
        if (id === KEY) throw new KmsError("DependencyTimeout", "The database did not answer in time.");
        throw new Error("driver exploded near secret-row-value");
      },
    };
    const access = { check: async () => {} };
    const deps = { store, access, arn: { region: "us-east-1", accountId: "000000000000" } } as unknown as CoreDeps;
    const logger = pino({ level: "silent" });
    const authenticate = async () => ({ name: "admin", admin: true });
    const pipeline = createPipeline({ logger, metrics, authenticate, audit: async () => {} });
    const handler = createAwsHandler({ deps, pipeline, logger });
    app = http.createServer((req, res) => {
      req.headers["x-request-id"] = "req-fixed-1";
      assignRequestId(req);
      handler(req, res);
    });
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => app.close(() => r())));

  const call = async (target: string, body: unknown) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
      body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  };

  ours("a database timeout is HTTP 503 DependencyTimeoutException", async () => {
    const reply = await call("TrentService.DescribeKey", { KeyId: KEY });
    expect(reply.status).toBe(503);
    expect(reply.body.__type).toBe("DependencyTimeoutException");
    expect(reply.headers.get("x-amzn-requestid")).toBe("req-fixed-1");
  });

  ours("an unexpected error is HTTP 500 KMSInternalException with the fixed message, hiding the cause", async () => {
    const reply = await call("TrentService.DescribeKey", { KeyId: "99999999-2222-3333-4444-555555555555" });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ __type: "KMSInternalException", message: INTERNAL_MESSAGE });
    expect(JSON.stringify(reply.body)).not.toContain("secret");
  });

  ours("counts calls under the operation's name, and never a client-chosen unknown target", async () => {
    await call("TrentService.AttackerChosenName", {});
    const text = await metrics.registry.metrics();
    expect(text).toContain('method="DescribeKey",code="DependencyTimeout"');
    expect(text).not.toContain("AttackerChosenName");
  });
});
