import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectGrpcError,
  type GrpcClients,
  grpcClients,
  type WireKeyMetadata,
  type WireRequest,
  type WireTimestamp,
} from "../helpers/grpc-client.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * Every KeyService RPC through an independent gRPC peer (grpc-js + proto-loader) against the real
 * server process on its default store (SQLite): the AWS KMS key lifecycle, its validation limits
 * and the codes and ErrorInfo reasons each refusal carries.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN_PREFIX = "arn:aws:kms:us-east-1:000000000000:";
const UNKNOWN_KEY = "00000000-0000-4000-8000-000000000000";
const DAY_MS = 86_400_000;
const { INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS } = grpc.status;

let server: ServerProcess;
let c: GrpcClients;

beforeAll(async () => {
  server = await startServer();
  c = grpcClients(server.url);
});

afterAll(async () => {
  c?.close();
  await server?.stop();
});

async function create(req: WireRequest = {}): Promise<WireKeyMetadata> {
  return (await c.keys.CreateKey(req)).key;
}

function ms(ts: WireTimestamp | null): number {
  if (ts === null) throw new Error("timestamp is null");
  return Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
}

/** Asserts `ts` lies `offsetMs` after a moment within [before, after], give or take a few seconds. */
function expectAbout(ts: WireTimestamp | null, before: number, after: number, offsetMs: number): void {
  const at = ms(ts);
  expect(at).toBeGreaterThanOrEqual(before + offsetMs - 5_000);
  expect(at).toBeLessThanOrEqual(after + offsetMs + 5_000);
}

async function listAllKeys(pageSize: number): Promise<{ keys: WireKeyMetadata[]; pages: number }> {
  const keys: WireKeyMetadata[] = [];
  let pageToken = "";
  let pages = 0;
  do {
    const page = await c.keys.ListKeys({ pageSize, pageToken });
    expect(page.keys.length).toBeLessThanOrEqual(pageSize);
    if (page.nextPageToken !== "") expect(page.keys.length).toBe(pageSize);
    keys.push(...page.keys);
    pageToken = page.nextPageToken;
    pages++;
    expect(pages).toBeLessThan(10_000);
  } while (pageToken !== "");
  return { keys, pages };
}

const pt = (s: string) => Buffer.from(s, "utf8");

describe("CreateKey", () => {
  it("defaults to an Enabled AES_256 ENCRYPT_DECRYPT key whose first version is initial and primary", async () => {
    const before = Date.now();
    const key = await create();
    const after = Date.now();
    expect(key.keyId).toMatch(UUID);
    expect(key.arn).toBe(`${ARN_PREFIX}key/${key.keyId}`);
    expect(key).toMatchObject({
      keySpec: "KEY_SPEC_AES_256",
      keyUsage: "KEY_USAGE_ENCRYPT_DECRYPT",
      keyState: "KEY_STATE_ENABLED",
      description: "",
      deletionTime: null,
      automaticRotation: false,
      nextRotationTime: null,
      tags: {},
    });
    expect(key.initialKeyVersionId).toMatch(UUID);
    expect(key.primaryKeyVersionId).toBe(key.initialKeyVersionId);
    expectAbout(key.createTime, before, after, 0);
    const versions = await c.keys.ListKeyVersions({ keyId: key.keyId });
    expect(versions.keyVersions.map((v) => v.keyVersionId)).toEqual([key.initialKeyVersionId]);
  });

  it.each([
    ["KEY_SPEC_AES_256", "KEY_USAGE_ENCRYPT_DECRYPT"],
    ["KEY_SPEC_RSA_2048", "KEY_USAGE_ENCRYPT_DECRYPT"],
    ["KEY_SPEC_RSA_2048", "KEY_USAGE_SIGN_VERIFY"],
    ["KEY_SPEC_RSA_3072", "KEY_USAGE_SIGN_VERIFY"],
    ["KEY_SPEC_EC_P256", "KEY_USAGE_SIGN_VERIFY"],
    ["KEY_SPEC_EC_P256K", "KEY_USAGE_SIGN_VERIFY"],
    ["KEY_SPEC_HMAC_256", "KEY_USAGE_GENERATE_VERIFY_MAC"],
  ])("creates %s with %s", async (keySpec, keyUsage) => {
    const key = await create({ keySpec, keyUsage });
    expect({ keySpec: key.keySpec, keyUsage: key.keyUsage, keyState: key.keyState }).toEqual({
      keySpec,
      keyUsage,
      keyState: "KEY_STATE_ENABLED",
    });
    const described = (await c.keys.DescribeKey({ keyId: key.keyId })).key;
    expect(described).toEqual(key);
  });

  it.each([
    ["KEY_SPEC_EC_P256", "KEY_USAGE_SIGN_VERIFY"],
    ["KEY_SPEC_HMAC_256", "KEY_USAGE_GENERATE_VERIFY_MAC"],
    ["KEY_SPEC_RSA_2048", "KEY_USAGE_ENCRYPT_DECRYPT"],
  ])("gives %s its default usage %s when none is named", async (keySpec, keyUsage) => {
    expect((await create({ keySpec })).keyUsage).toBe(keyUsage);
  });

  it("refuses every invalid spec/usage combination with ValidationException and creates nothing", async () => {
    const before = (await listAllKeys(1000)).keys.length;
    const invalid: [string | number, string | number][] = [
      ["KEY_SPEC_AES_256", "KEY_USAGE_SIGN_VERIFY"],
      ["KEY_SPEC_AES_256", "KEY_USAGE_GENERATE_VERIFY_MAC"],
      ["KEY_SPEC_EC_P256", "KEY_USAGE_ENCRYPT_DECRYPT"],
      ["KEY_SPEC_EC_P256K", "KEY_USAGE_ENCRYPT_DECRYPT"],
      ["KEY_SPEC_EC_P256", "KEY_USAGE_GENERATE_VERIFY_MAC"],
      ["KEY_SPEC_HMAC_256", "KEY_USAGE_SIGN_VERIFY"],
      ["KEY_SPEC_HMAC_256", "KEY_USAGE_ENCRYPT_DECRYPT"],
      ["KEY_SPEC_RSA_2048", "KEY_USAGE_GENERATE_VERIFY_MAC"],
      ["KEY_SPEC_RSA_3072", "KEY_USAGE_GENERATE_VERIFY_MAC"],
      ["KEY_SPEC_RSA_4096", "KEY_USAGE_GENERATE_VERIFY_MAC"],
      [99, "KEY_USAGE_ENCRYPT_DECRYPT"],
      ["KEY_SPEC_AES_256", 42],
    ];
    for (const [keySpec, keyUsage] of invalid) {
      await expectGrpcError(c.keys.CreateKey({ keySpec, keyUsage }), INVALID_ARGUMENT, "ValidationException");
    }
    expect((await listAllKeys(1000)).keys.length).toBe(before);
  });

  it("accepts a description of 8192 characters and refuses 8193", async () => {
    const key = await create({ description: "d".repeat(8192) });
    expect(key.description).toHaveLength(8192);
    await expectGrpcError(c.keys.CreateKey({ description: "d".repeat(8193) }), INVALID_ARGUMENT, "ValidationException");
  });

  it("accepts 50 tags and refuses 51 with TagException", async () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, `v${i}`]));
    const key = await create({ tags: fifty });
    expect(key.tags).toEqual(fifty);
    await expectGrpcError(c.keys.CreateKey({ tags: { ...fifty, k50: "v50" } }), INVALID_ARGUMENT, "TagException");
    await expectGrpcError(c.keys.TagKey({ keyId: key.keyId, tags: { extra: "x" } }), INVALID_ARGUMENT, "TagException");
    await expectGrpcError(
      c.keys.TagKey({ keyId: key.keyId, tags: { "AWS:x": "x" } }),
      INVALID_ARGUMENT,
      "TagException",
    );
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.tags).toEqual(fifty);
  });

  it("accepts tag keys of 128 and values of 256 characters, refuses 129 and 257 and empty keys", async () => {
    const key = await create({ tags: { ["k".repeat(128)]: "v".repeat(256) } });
    expect(key.tags["k".repeat(128)]).toHaveLength(256);
    await expectGrpcError(
      c.keys.CreateKey({ tags: { ["k".repeat(129)]: "v" } }),
      INVALID_ARGUMENT,
      "ValidationException",
    );
    await expectGrpcError(c.keys.CreateKey({ tags: { k: "v".repeat(257) } }), INVALID_ARGUMENT, "ValidationException");
    await expectGrpcError(c.keys.CreateKey({ tags: { "": "v" } }), INVALID_ARGUMENT, "ValidationException");
  });
});

describe("DescribeKey", () => {
  it("resolves a key id, key ARN, alias name and alias ARN to the same key", async () => {
    const key = await create({ description: "describe me" });
    const aliasName = `alias/describe-${key.keyId.slice(0, 8)}`;
    await c.keys.CreateAlias({ aliasName, keyId: key.keyId });
    for (const ref of [key.keyId, key.arn, aliasName, `${ARN_PREFIX}${aliasName}`]) {
      const described = (await c.keys.DescribeKey({ keyId: ref })).key;
      expect({ ref, keyId: described.keyId, description: described.description }).toEqual({
        ref,
        keyId: key.keyId,
        description: "describe me",
      });
    }
  });

  it.each([
    UNKNOWN_KEY,
    `${ARN_PREFIX}key/${UNKNOWN_KEY}`,
    "alias/no-such-alias",
    `${ARN_PREFIX}alias/no-such-alias`,
    "not-a-key-id",
  ])("answers NotFound for %s", async (keyId) => {
    await expectGrpcError(c.keys.DescribeKey({ keyId }), NOT_FOUND, "NotFoundException");
  });

  it("answers NotFound for an ARN of another region or account, even for an existing key", async () => {
    const key = await create();
    for (const arn of [
      `arn:aws:kms:eu-west-1:000000000000:key/${key.keyId}`,
      `arn:aws:kms:us-east-1:111111111111:key/${key.keyId}`,
    ]) {
      await expectGrpcError(c.keys.DescribeKey({ keyId: arn }), NOT_FOUND, "NotFoundException");
    }
  });

  it("refuses an empty key id with ValidationException", async () => {
    await expectGrpcError(c.keys.DescribeKey({ keyId: "" }), INVALID_ARGUMENT, "ValidationException");
  });

  it.each([
    ["EnableKey", {}],
    ["DisableKey", {}],
    ["RotateKey", {}],
    ["ScheduleKeyDeletion", { pendingWindowDays: 7 }],
    ["TagKey", { tags: { a: "b" } }],
    ["UpdateKeyDescription", { description: "x" }],
  ] as const)("%s on an unknown key answers NotFound", async (method, extra) => {
    await expectGrpcError(c.keys[method]({ keyId: UNKNOWN_KEY, ...extra }), NOT_FOUND, "NotFoundException");
  });
});

describe("ListKeys", () => {
  it("pages with page_size 2 in a stable (create_time, key_id) order with no duplicates and nothing missing", async () => {
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await create({ description: `page-${i}` })).keyId);
    const first = await listAllKeys(2);
    const second = await listAllKeys(2);
    const ids = first.keys.map((k) => k.keyId);
    expect(second.keys.map((k) => k.keyId)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(mine));
    expect(first.pages).toBe(Math.ceil(ids.length / 2));
    const sorted = [...first.keys].sort((a, b) => ms(a.createTime) - ms(b.createTime) || (a.keyId < b.keyId ? -1 : 1));
    expect(ids).toEqual(sorted.map((k) => k.keyId));
    const whole = await c.keys.ListKeys({ pageSize: 1000 });
    expect(whole.keys.map((k) => k.keyId)).toEqual(ids);
    expect(whole.nextPageToken).toBe("");
  });

  it("refuses page_size 1001 and malformed or foreign page tokens with ValidationException", async () => {
    await expectGrpcError(c.keys.ListKeys({ pageSize: 1001 }), INVALID_ARGUMENT, "ValidationException");
    await expectGrpcError(c.keys.ListKeys({ pageToken: "!!not a token!!" }), INVALID_ARGUMENT, "ValidationException");
    await expectGrpcError(
      c.keys.ListKeys({ pageToken: Buffer.from("{not json").toString("base64url") }),
      INVALID_ARGUMENT,
      "ValidationException",
    );
    const key = await create();
    await c.keys.RotateKey({ keyId: key.keyId });
    const versions = await c.keys.ListKeyVersions({ keyId: key.keyId, pageSize: 1 });
    expect(versions.nextPageToken).not.toBe("");
    await expectGrpcError(
      c.keys.ListKeys({ pageToken: versions.nextPageToken }),
      INVALID_ARGUMENT,
      "ValidationException",
    );
  });
});

describe("UpdateKeyDescription", () => {
  it("replaces the description; 8193 characters is refused", async () => {
    const key = await create({ description: "old" });
    const updated = (await c.keys.UpdateKeyDescription({ keyId: key.keyId, description: "new" })).key;
    expect(updated.description).toBe("new");
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.description).toBe("new");
    await expectGrpcError(
      c.keys.UpdateKeyDescription({ keyId: key.keyId, description: "x".repeat(8193) }),
      INVALID_ARGUMENT,
      "ValidationException",
    );
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.description).toBe("new");
  });
});

describe("EnableKey / DisableKey", () => {
  it("a disabled key refuses cryptographic use with DisabledException but can be described and re-enabled", async () => {
    const key = await create();
    const sealed = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("before disable") });
    const disabled = (await c.keys.DisableKey({ keyId: key.keyId })).key;
    expect(disabled.keyState).toBe("KEY_STATE_DISABLED");
    expect((await c.keys.DisableKey({ keyId: key.keyId })).key.keyState).toBe("KEY_STATE_DISABLED");
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.keyState).toBe("KEY_STATE_DISABLED");

    const refusals = [
      () => c.crypto.Encrypt({ keyId: key.keyId, plaintext: pt("x") }),
      () => c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("x") }),
      () => c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob }),
      () => c.dataKeys.GenerateDataKey({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" }),
      () => c.dataKeys.GenerateDataKeyWithoutPlaintext({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_128" }),
      () => c.keys.RotateKey({ keyId: key.keyId }),
    ];
    for (const call of refusals) await expectGrpcError(call(), FAILED_PRECONDITION, "DisabledException");

    expect((await c.keys.EnableKey({ keyId: key.keyId })).key.keyState).toBe("KEY_STATE_ENABLED");
    const opened = await c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob });
    expect(opened.plaintext.toString()).toBe("before disable");
    const dataKey = await c.dataKeys.GenerateDataKey({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" });
    expect(dataKey.plaintext).toHaveLength(32);
  });
});

describe("ScheduleKeyDeletion / CancelKeyDeletion", () => {
  it("refuses windows of 6 and 31 days and leaves the key Enabled", async () => {
    const key = await create();
    for (const pendingWindowDays of [6, 31]) {
      await expectGrpcError(
        c.keys.ScheduleKeyDeletion({ keyId: key.keyId, pendingWindowDays }),
        INVALID_ARGUMENT,
        "ValidationException",
      );
    }
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.keyState).toBe("KEY_STATE_ENABLED");
  });

  it("defaults the window to 30 days", async () => {
    const key = await create();
    const before = Date.now();
    const scheduled = (await c.keys.ScheduleKeyDeletion({ keyId: key.keyId })).key;
    const after = Date.now();
    expect(scheduled.keyState).toBe("KEY_STATE_PENDING_DELETION");
    expectAbout(scheduled.deletionTime, before, after, 30 * DAY_MS);
  });

  it("a key pending deletion refuses state changes and use with KMSInvalidStateException; cancel makes it Disabled", async () => {
    const key = await create();
    const sealed = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("doomed") });
    const before = Date.now();
    const scheduled = (await c.keys.ScheduleKeyDeletion({ keyId: key.keyId, pendingWindowDays: 7 })).key;
    const after = Date.now();
    expect(scheduled.keyState).toBe("KEY_STATE_PENDING_DELETION");
    expectAbout(scheduled.deletionTime, before, after, 7 * DAY_MS);
    const described = (await c.keys.DescribeKey({ keyId: key.keyId })).key;
    expect(described.keyState).toBe("KEY_STATE_PENDING_DELETION");
    expect(ms(described.deletionTime)).toBe(ms(scheduled.deletionTime));

    const refusals = [
      () => c.keys.EnableKey({ keyId: key.keyId }),
      () => c.keys.DisableKey({ keyId: key.keyId }),
      () => c.keys.RotateKey({ keyId: key.keyId }),
      () => c.keys.ScheduleKeyDeletion({ keyId: key.keyId, pendingWindowDays: 7 }),
      () => c.keys.CreateAlias({ aliasName: `alias/pending-${key.keyId.slice(0, 8)}`, keyId: key.keyId }),
      () => c.crypto.Encrypt({ keyId: key.keyId, plaintext: pt("x") }),
      () => c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("x") }),
      () => c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob }),
      () => c.dataKeys.GenerateDataKey({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" }),
    ];
    for (const call of refusals) await expectGrpcError(call(), FAILED_PRECONDITION, "KMSInvalidStateException");

    const cancelled = (await c.keys.CancelKeyDeletion({ keyId: key.keyId })).key;
    expect(cancelled.keyState).toBe("KEY_STATE_DISABLED");
    expect(cancelled.deletionTime).toBeNull();
    await expectGrpcError(
      c.keys.CancelKeyDeletion({ keyId: key.keyId }),
      FAILED_PRECONDITION,
      "KMSInvalidStateException",
    );
    expect((await c.keys.EnableKey({ keyId: key.keyId })).key.keyState).toBe("KEY_STATE_ENABLED");
    expect((await c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob })).plaintext.toString()).toBe(
      "doomed",
    );
  });

  it("CancelKeyDeletion on an Enabled key is KMSInvalidStateException", async () => {
    const key = await create();
    await expectGrpcError(
      c.keys.CancelKeyDeletion({ keyId: key.keyId }),
      FAILED_PRECONDITION,
      "KMSInvalidStateException",
    );
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.keyState).toBe("KEY_STATE_ENABLED");
  });
});

describe("RotateKey / ListKeyVersions", () => {
  it("adds a new primary, keeps the initial, and old ciphertexts of both forms keep decrypting", async () => {
    const key = await create();
    const aad = pt("bound aad");
    const blobBefore = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("advance before"), aad });
    const rawBefore = await c.crypto.Encrypt({ keyId: key.keyId, plaintext: pt("raw before"), aad });
    expect(blobBefore.keyVersionId).toBe(key.initialKeyVersionId);
    expect(rawBefore.keyVersionId).toBe(key.initialKeyVersionId);
    expect(rawBefore.iv).toHaveLength(12);
    expect(rawBefore.algorithm).toBe("AES_GCM");

    const first = await c.keys.RotateKey({ keyId: key.keyId });
    expect(first.keyVersionId).toMatch(UUID);
    expect(first.keyVersionId).not.toBe(key.initialKeyVersionId);
    expect(first.key.primaryKeyVersionId).toBe(first.keyVersionId);
    expect(first.key.initialKeyVersionId).toBe(key.initialKeyVersionId);
    const second = await c.keys.RotateKey({ keyId: key.arn });
    expect(second.key.keyId).toBe(key.keyId);
    expect(second.key.primaryKeyVersionId).toBe(second.keyVersionId);
    expect(second.key.initialKeyVersionId).toBe(key.initialKeyVersionId);
    const described = (await c.keys.DescribeKey({ keyId: key.keyId })).key;
    expect(described.primaryKeyVersionId).toBe(second.keyVersionId);

    const expected = [key.initialKeyVersionId, first.keyVersionId, second.keyVersionId];
    const all = await c.keys.ListKeyVersions({ keyId: key.keyId });
    expect(all.keyVersions.map((v) => v.keyVersionId)).toEqual(expected);
    expect(all.keyVersions.every((v) => v.keyId === key.keyId)).toBe(true);
    expect(all.nextPageToken).toBe("");
    const paged: string[] = [];
    let pageToken = "";
    do {
      const page = await c.keys.ListKeyVersions({ keyId: key.keyId, pageSize: 1, pageToken });
      expect(page.keyVersions).toHaveLength(1);
      paged.push(page.keyVersions[0]!.keyVersionId);
      pageToken = page.nextPageToken;
    } while (pageToken !== "" && paged.length < 10);
    expect(paged).toEqual(expected);

    const openedBlob = await c.crypto.AdvanceDecrypt({ ciphertextBlob: blobBefore.ciphertextBlob, aad });
    expect(openedBlob.plaintext.toString()).toBe("advance before");
    expect(openedBlob.keyVersionId).toBe(key.initialKeyVersionId);
    const blobAfter = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("advance after") });
    expect(blobAfter.keyVersionId).toBe(second.keyVersionId);
    expect((await c.crypto.AdvanceDecrypt({ ciphertextBlob: blobAfter.ciphertextBlob })).plaintext.toString()).toBe(
      "advance after",
    );

    const rawAfter = await c.crypto.Encrypt({ keyId: key.keyId, plaintext: pt("raw after"), aad });
    expect(rawAfter.keyVersionId).toBe(key.initialKeyVersionId);
    for (const [sealed, text] of [
      [rawBefore, "raw before"],
      [rawAfter, "raw after"],
    ] as const) {
      const opened = await c.crypto.Decrypt({
        keyId: key.keyId,
        ciphertextBlob: sealed.ciphertextBlob,
        iv: sealed.iv,
        algorithm: sealed.algorithm,
        aad,
      });
      expect(opened.plaintext.toString()).toBe(text);
      expect(opened.keyVersionId).toBe(key.initialKeyVersionId);
    }
    await expectGrpcError(
      c.crypto.Decrypt({
        keyId: key.keyId,
        ciphertextBlob: rawAfter.ciphertextBlob,
        iv: rawAfter.iv,
        algorithm: rawAfter.algorithm,
        aad: pt("other aad"),
      }),
      INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
  });

  it.each([
    ["KEY_SPEC_EC_P256", "KEY_USAGE_SIGN_VERIFY"],
    ["KEY_SPEC_HMAC_256", "KEY_USAGE_GENERATE_VERIFY_MAC"],
    ["KEY_SPEC_RSA_2048", "KEY_USAGE_ENCRYPT_DECRYPT"],
  ])("refuses to rotate a %s key with UnsupportedOperationException", async (keySpec, keyUsage) => {
    const key = await create({ keySpec, keyUsage });
    await expectGrpcError(c.keys.RotateKey({ keyId: key.keyId }), FAILED_PRECONDITION, "UnsupportedOperationException");
    const versions = await c.keys.ListKeyVersions({ keyId: key.keyId });
    expect(versions.keyVersions).toHaveLength(1);
  });

  it("ListKeyVersions refuses page_size 1001 and answers NotFound for an unknown key", async () => {
    const key = await create();
    await expectGrpcError(
      c.keys.ListKeyVersions({ keyId: key.keyId, pageSize: 1001 }),
      INVALID_ARGUMENT,
      "ValidationException",
    );
    await expectGrpcError(c.keys.ListKeyVersions({ keyId: UNKNOWN_KEY }), NOT_FOUND, "NotFoundException");
  });
});

describe("UpdateRotationPolicy", () => {
  it("accepts 90..2560 days, sets next_rotation_time, and disabling clears it", async () => {
    const key = await create();
    for (const rotationPeriodDays of [89, 2561]) {
      await expectGrpcError(
        c.keys.UpdateRotationPolicy({ keyId: key.keyId, automaticRotation: true, rotationPeriodDays }),
        INVALID_ARGUMENT,
        "ValidationException",
      );
    }
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.automaticRotation).toBe(false);

    const before = Date.now();
    const on = (
      await c.keys.UpdateRotationPolicy({ keyId: key.keyId, automaticRotation: true, rotationPeriodDays: 90 })
    ).key;
    const after = Date.now();
    expect(on.automaticRotation).toBe(true);
    expect(on.rotationPeriodDays).toBe(90);
    expectAbout(on.nextRotationTime, before, after, 90 * DAY_MS);
    const described = (await c.keys.DescribeKey({ keyId: key.keyId })).key;
    expect(described.automaticRotation).toBe(true);
    expect(ms(described.nextRotationTime)).toBe(ms(on.nextRotationTime));

    const max = (
      await c.keys.UpdateRotationPolicy({ keyId: key.keyId, automaticRotation: true, rotationPeriodDays: 2560 })
    ).key;
    expect(max.rotationPeriodDays).toBe(2560);

    const off = (await c.keys.UpdateRotationPolicy({ keyId: key.keyId, automaticRotation: false })).key;
    expect(off.automaticRotation).toBe(false);
    expect(off.nextRotationTime).toBeNull();
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.nextRotationTime).toBeNull();
  });

  it("refuses asymmetric keys with UnsupportedOperationException", async () => {
    const key = await create({ keySpec: "KEY_SPEC_EC_P256" });
    await expectGrpcError(
      c.keys.UpdateRotationPolicy({ keyId: key.keyId, automaticRotation: true, rotationPeriodDays: 90 }),
      FAILED_PRECONDITION,
      "UnsupportedOperationException",
    );
  });
});

describe("aliases", () => {
  it.each([["foo"], ["alias/"], ["alias/aws/x"], ["alias/has space"], [`alias/${"a".repeat(251)}`]])(
    "refuses the alias name %s with ValidationException",
    async (aliasName) => {
      const key = await create();
      await expectGrpcError(
        c.keys.CreateAlias({ aliasName, keyId: key.keyId }),
        INVALID_ARGUMENT,
        "ValidationException",
      );
    },
  );

  it("creates, refuses duplicates, updates, lists and deletes aliases", async () => {
    const a = await create({ description: "A" });
    const b = await create({ description: "B" });
    const suffix = a.keyId.slice(0, 8);
    const longest = `alias/${"l".repeat(250)}`;
    expect(longest).toHaveLength(256);
    const name = `alias/app-${suffix}`;

    const created = (await c.keys.CreateAlias({ aliasName: name, keyId: a.keyId })).alias;
    expect(created).toMatchObject({ aliasName: name, aliasArn: `${ARN_PREFIX}${name}`, targetKeyId: a.keyId });
    await c.keys.CreateAlias({ aliasName: longest, keyId: a.keyId });
    await expectGrpcError(
      c.keys.CreateAlias({ aliasName: name, keyId: b.keyId }),
      ALREADY_EXISTS,
      "AlreadyExistsException",
    );
    await expectGrpcError(
      c.keys.CreateAlias({ aliasName: `alias/x-${suffix}`, keyId: name }),
      INVALID_ARGUMENT,
      "ValidationException",
    );
    await expectGrpcError(
      c.keys.CreateAlias({ aliasName: `alias/y-${suffix}`, keyId: UNKNOWN_KEY }),
      NOT_FOUND,
      "NotFoundException",
    );
    expect((await c.keys.DescribeKey({ keyId: name })).key.keyId).toBe(a.keyId);

    const updated = (await c.keys.UpdateAlias({ aliasName: name, keyId: b.arn })).alias;
    expect(updated.targetKeyId).toBe(b.keyId);
    expect((await c.keys.DescribeKey({ keyId: name })).key.description).toBe("B");
    const sealed = await c.crypto.AdvanceEncrypt({ keyId: name, plaintext: pt("via alias") });
    expect(sealed.keyId).toBe(b.keyId);
    await expectGrpcError(
      c.keys.UpdateAlias({ aliasName: `alias/none-${suffix}`, keyId: b.keyId }),
      NOT_FOUND,
      "NotFoundException",
    );

    const second = `alias/app2-${suffix}`;
    const third = `alias/app3-${suffix}`;
    await c.keys.CreateAlias({ aliasName: third, keyId: b.keyId });
    await c.keys.CreateAlias({ aliasName: second, keyId: b.keyId });
    const ofB = await c.keys.ListAliases({ keyId: b.arn });
    expect(ofB.aliases.map((x) => x.aliasName)).toEqual([name, second, third].sort());
    expect(ofB.aliases.every((x) => x.targetKeyId === b.keyId)).toBe(true);
    const ofA = await c.keys.ListAliases({ keyId: a.keyId });
    expect(ofA.aliases.map((x) => x.aliasName)).toEqual([longest]);

    const paged: string[] = [];
    let pageToken = "";
    do {
      const page = await c.keys.ListAliases({ keyId: b.keyId, pageSize: 1, pageToken });
      expect(page.aliases.length).toBeLessThanOrEqual(1);
      paged.push(...page.aliases.map((x) => x.aliasName));
      pageToken = page.nextPageToken;
    } while (pageToken !== "" && paged.length < 10);
    expect(paged).toEqual([name, second, third].sort());

    const everything: string[] = [];
    pageToken = "";
    do {
      const page = await c.keys.ListAliases({ pageSize: 1000, pageToken });
      everything.push(...page.aliases.map((x) => x.aliasName));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(everything).toEqual(expect.arrayContaining([name, second, third, longest]));
    expect(everything).toEqual([...everything].sort());

    await c.keys.DeleteAlias({ aliasName: name });
    await expectGrpcError(c.keys.DescribeKey({ keyId: name }), NOT_FOUND, "NotFoundException");
    await expectGrpcError(c.keys.DeleteAlias({ aliasName: name }), NOT_FOUND, "NotFoundException");
    expect((await c.keys.ListAliases({ keyId: b.keyId })).aliases.map((x) => x.aliasName)).toEqual([second, third]);
    expect((await c.keys.DescribeKey({ keyId: b.keyId })).key.keyState).toBe("KEY_STATE_ENABLED");
  });
});

describe("TagKey / UntagKey", () => {
  it("adds, overwrites and removes tags; removing an absent tag is not an error", async () => {
    const key = await create({ tags: { env: "dev", team: "a" } });
    const tagged = (await c.keys.TagKey({ keyId: key.keyId, tags: { env: "prod", owner: "sec" } })).key;
    expect(tagged.tags).toEqual({ env: "prod", team: "a", owner: "sec" });
    const untagged = (await c.keys.UntagKey({ keyId: key.keyId, tagKeys: ["team", "never-set"] })).key;
    expect(untagged.tags).toEqual({ env: "prod", owner: "sec" });
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.tags).toEqual({ env: "prod", owner: "sec" });
    await expectGrpcError(
      c.keys.TagKey({ keyId: key.keyId, tags: { ["k".repeat(129)]: "v" } }),
      INVALID_ARGUMENT,
      "ValidationException",
    );
    await expectGrpcError(
      c.keys.UntagKey({ keyId: key.keyId, tagKeys: ["k".repeat(129)] }),
      INVALID_ARGUMENT,
      "ValidationException",
    );
    expect((await c.keys.DescribeKey({ keyId: key.keyId })).key.tags).toEqual({ env: "prod", owner: "sec" });
  });
});
