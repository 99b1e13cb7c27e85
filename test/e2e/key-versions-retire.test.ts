import { DecryptCommand } from "@aws-sdk/client-kms";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectGrpcError, type GrpcClients, grpcClients, type WireKeyMetadata } from "../helpers/grpc-client.js";
import { awsClient, awsErrorName } from "../helpers/security.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * Retiring old key versions through the real server and grpc-js: rotate → re-encrypt → raise the
 * minimum → trim. Retired versions are refused by Decrypt (and by the AWS endpoint as
 * KMSInvalidStateException) but still read by ReEncrypt; trimmed ones by everything; the initial
 * version is never trimmed; the minimum never drops back below a trimmed version. ListKeyVersions
 * reports each state.
 */

const RETIRED = "KeyVersionRetiredException";
const pt = (s: string) => Buffer.from(s, "utf8");

let server: ServerProcess;
let c: GrpcClients;
let key: WireKeyMetadata;
const v: string[] = [];
const blobs: Buffer[] = [];
let raw: { ciphertextBlob: Buffer; iv: Buffer; algorithm: string };

async function states(): Promise<string[]> {
  const res = await c.keys.ListKeyVersions({ keyId: key.keyId });
  expect(res.keyVersions.map((x) => x.keyVersionId)).toEqual(v);
  return res.keyVersions.map((x) => x.state.replace("KEY_VERSION_STATE_", ""));
}

const decryptBlob = (i: number) => c.crypto.Decrypt({ ciphertextBlob: blobs[i] });
const reEncryptBlob = (i: number) => c.crypto.ReEncrypt({ ciphertextBlob: blobs[i], destinationKeyId: key.keyId });
const setMin = (keyVersionId: string) => c.keys.SetMinDecryptionVersion({ keyId: key.keyId, keyVersionId });

beforeAll(async () => {
  server = await startServer();
  c = grpcClients(server.url);
  key = (await c.keys.CreateKey({ description: "retire" })).key;
  v.push(key.initialKeyVersionId);
  raw = await c.crypto.Encrypt({ keyId: key.keyId, plaintext: pt("raw under v1") });
  for (let i = 0; i < 3; i++) {
    if (i > 0) v.push((await c.keys.RotateKey({ keyId: key.keyId })).keyVersionId);
    blobs.push((await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt(`blob ${i}`) })).ciphertextBlob);
  }
}, 60_000);

afterAll(async () => {
  c?.close();
  await server?.stop();
});

describe("retiring key versions", () => {
  it("lists every version usable before any minimum is set", async () => {
    expect(await states()).toEqual(["USABLE", "USABLE", "USABLE"]);
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key).toMatchObject({ minDecryptionKeyVersionId: "" });
  });

  it("retires versions below the minimum: Decrypt refuses them, ReEncrypt still moves them", async () => {
    const res = await setMin(v[1]!);
    expect(res.key).toMatchObject({ minDecryptionKeyVersionId: v[1] });
    expect(await states()).toEqual(["RETIRED", "USABLE", "USABLE"]);

    await expectGrpcError(decryptBlob(0), status.FAILED_PRECONDITION, RETIRED);
    await expectGrpcError(c.crypto.AdvanceDecrypt({ ciphertextBlob: blobs[0] }), status.FAILED_PRECONDITION, RETIRED);
    expect((await decryptBlob(1)).plaintext.toString()).toBe("blob 1");

    // The raw form always means the initial version, now retired: both directions are refused.
    await expectGrpcError(c.crypto.Decrypt({ keyId: key.keyId, ...raw }), status.FAILED_PRECONDITION, RETIRED);
    await expectGrpcError(
      c.crypto.Encrypt({ keyId: key.keyId, plaintext: pt("x") }),
      status.FAILED_PRECONDITION,
      RETIRED,
    );

    const moved = await reEncryptBlob(0);
    expect([moved.sourceKeyVersionId, moved.keyVersionId]).toEqual([v[0], v[2]]);
    expect((await c.crypto.Decrypt({ ciphertextBlob: moved.ciphertextBlob })).plaintext.toString()).toBe("blob 0");
  });

  it("answers a retired version on the AWS endpoint as KMSInvalidStateException", async () => {
    const aws = awsClient(server.url, TEST_ADMIN);
    expect(await awsErrorName(aws.send(new DecryptCommand({ CiphertextBlob: blobs[0] })))).toBe(
      "KMSInvalidStateException",
    );
    aws.destroy();
  });

  it("trims retired versions except the initial one; trimmed ones are gone even for ReEncrypt", async () => {
    await setMin(v[2]!);
    expect(await states()).toEqual(["RETIRED", "RETIRED", "USABLE"]);
    const trimmed = await c.keys.TrimKeyVersions({ keyId: key.keyId });
    expect(trimmed.trimmedKeyVersionIds).toEqual([v[1]]);
    expect(await states()).toEqual(["RETIRED", "TRIMMED", "USABLE"]);

    await expectGrpcError(reEncryptBlob(1), status.FAILED_PRECONDITION, RETIRED);
    await expectGrpcError(decryptBlob(1), status.FAILED_PRECONDITION, RETIRED);
    expect((await reEncryptBlob(0)).sourceKeyVersionId).toBe(v[0]);
    expect((await decryptBlob(2)).plaintext.toString()).toBe("blob 2");

    expect((await c.keys.TrimKeyVersions({ keyId: key.keyId })).trimmedKeyVersionIds).toEqual([]);
  });

  it("refuses to lower the minimum to or below a trimmed version, and unknown versions", async () => {
    await expectGrpcError(setMin(v[1]!), status.FAILED_PRECONDITION, "KMSInvalidStateException");
    await expectGrpcError(setMin(""), status.FAILED_PRECONDITION, "KMSInvalidStateException");
    await expectGrpcError(setMin("00000000-0000-0000-0000-000000000000"), status.NOT_FOUND, "NotFoundException");
    expect((await setMin(v[2]!)).key).toMatchObject({ minDecryptionKeyVersionId: v[2] });
  });

  it("lets the minimum come back down while nothing is trimmed, and refuses non-symmetric keys", async () => {
    const other = (await c.keys.CreateKey({ description: "retire 2" })).key;
    const second = (await c.keys.RotateKey({ keyId: other.keyId })).keyVersionId;
    const blob = (await c.crypto.AdvanceEncrypt({ keyId: other.keyId, plaintext: pt("back") })).ciphertextBlob;
    const old = await c.crypto.Encrypt({ keyId: other.keyId, plaintext: pt("initial") });
    await c.keys.SetMinDecryptionVersion({ keyId: other.keyId, keyVersionId: second });
    await c.keys.SetMinDecryptionVersion({ keyId: other.keyId, keyVersionId: "" });
    expect((await c.crypto.Decrypt({ ...old, keyId: other.keyId })).plaintext.toString()).toBe("initial");
    expect((await c.crypto.Decrypt({ ciphertextBlob: blob })).plaintext.toString()).toBe("back");

    const hmac = (await c.keys.CreateKey({ keySpec: "KEY_SPEC_HMAC_256", keyUsage: "KEY_USAGE_GENERATE_VERIFY_MAC" }))
      .key;
    await expectGrpcError(
      c.keys.SetMinDecryptionVersion({ keyId: hmac.keyId, keyVersionId: hmac.initialKeyVersionId }),
      status.FAILED_PRECONDITION,
      "UnsupportedOperationException",
    );
  });
});
