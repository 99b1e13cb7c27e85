import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  expectGrpcError,
  type GrpcClients,
  grpcClients,
  type WireBatchResult,
  type WireKeyMetadata,
} from "../helpers/grpc-client.js";
import { createPrincipal, kmsCli, sqliteArgs, withRequestId } from "../helpers/security.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * The batch RPCs through the real server and an independent grpc-js peer: per-item results in
 * order with the caller's reference, per-item errors with the single RPC's code and reason, per-item
 * authorization, the item limit, and one audit record per call naming every key and the count.
 */

let server: ServerProcess;
let admin: GrpcClients;
let other: GrpcClients;
let k1: WireKeyMetadata;
let k2: WireKeyMetadata;
let disabled: WireKeyMetadata;
let othersKey: WireKeyMetadata;

const pt = (s: string) => Buffer.from(s, "utf8");

/** The value of a result that must have succeeded. */
function ok<T>(r: WireBatchResult<T> | undefined): T {
  expect(r?.outcome, JSON.stringify(r?.error)).toBe("response");
  return r!.response!;
}

/** `[code, reason]` of a result that must have failed. */
function failure(r: WireBatchResult<unknown> | undefined): [string, string] {
  expect(r?.outcome).toBe("error");
  return [r!.error!.code, r!.error!.reason];
}

interface AuditRow {
  operation: string;
  key_id: string | null;
  item_count: number | null;
  principal: string;
  outcome: string;
}

function auditOf(requestId: string): AuditRow[] {
  const db = new Database(join(server.dataDir, "kms.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("select * from kms_audit where request_id = ? order by seq").all(requestId) as AuditRow[];
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  server = await startServer();
  admin = grpcClients(server.url);
  const creds = await createPrincipal(sqliteArgs(server.dataDir), "batcher");
  other = grpcClients(server.url, creds.token);
  k1 = (await admin.keys.CreateKey({ description: "batch 1" })).key;
  k2 = (await admin.keys.CreateKey({ description: "batch 2" })).key;
  disabled = (await admin.keys.CreateKey({ description: "batch off" })).key;
  await admin.keys.DisableKey({ keyId: disabled.keyId });
  othersKey = (await other.keys.CreateKey({ description: "the other's" })).key;
}, 60_000);

afterAll(async () => {
  admin?.close();
  other?.close();
  await server?.stop();
});

describe("batches over gRPC", () => {
  it("BatchEncrypt answers every item in order, one bad item failing alone, and BatchDecrypt opens them", async () => {
    const items = [
      { reference: "a", request: { keyId: k1.keyId, plaintext: pt("one"), encryptionContext: { n: "1" } } },
      { reference: "b", request: { keyId: disabled.keyId, plaintext: pt("two") } },
      { reference: "c", request: { keyId: k2.keyId, plaintext: pt("three") } },
      { reference: "d" },
      { reference: "e", request: { keyId: k1.keyId, plaintext: Buffer.alloc(4097) } },
      { reference: "f", request: { keyId: "alias/none", plaintext: pt("x") } },
    ];
    const enc = await admin.crypto.BatchEncrypt({ items, advance: true }, withRequestId("batch-enc-1"));
    expect(enc.results.map((r) => r.reference)).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(ok(enc.results[0]).keyId).toBe(k1.keyId);
    expect(ok(enc.results[0]).keyVersionId).toBe(k1.primaryKeyVersionId);
    expect(failure(enc.results[1])).toEqual(["failed_precondition", "DisabledException"]);
    expect(ok(enc.results[2]).keyId).toBe(k2.keyId);
    expect(failure(enc.results[3])).toEqual(["invalid_argument", "ValidationException"]);
    expect(failure(enc.results[4])).toEqual(["invalid_argument", "ValidationException"]);
    expect(failure(enc.results[5])).toEqual(["not_found", "NotFoundException"]);

    const blob1 = ok(enc.results[0]).ciphertextBlob;
    const tampered = Buffer.from(blob1);
    tampered[tampered.length - 1]! ^= 1;
    const dec = await admin.crypto.BatchDecrypt({
      items: [
        { reference: "x", request: { ciphertextBlob: ok(enc.results[2]).ciphertextBlob } },
        { reference: "y", request: { ciphertextBlob: blob1, encryptionContext: { n: "1" } } },
        { reference: "z", request: { ciphertextBlob: tampered, encryptionContext: { n: "1" } } },
        { reference: "w", request: { ciphertextBlob: blob1 } },
      ],
    });
    expect(dec.results.map((r) => r.reference)).toEqual(["x", "y", "z", "w"]);
    expect(ok(dec.results[0]).plaintext.toString()).toBe("three");
    expect(ok(dec.results[1]).plaintext.toString()).toBe("one");
    expect(failure(dec.results[2])).toEqual(["invalid_argument", "InvalidCiphertextException"]);
    expect(failure(dec.results[3])).toEqual(["invalid_argument", "InvalidCiphertextException"]);
  });

  it("without advance, BatchEncrypt seals as Encrypt does (raw form under the initial version)", async () => {
    const enc = await admin.crypto.BatchEncrypt({ items: [{ request: { keyId: k1.keyId, plaintext: pt("raw") } }] });
    const out = ok(enc.results[0]);
    expect(out.iv.length).toBe(12);
    expect(out.algorithm).toBe("AES_GCM");
    const back = await admin.crypto.Decrypt({
      ciphertextBlob: out.ciphertextBlob,
      iv: out.iv,
      algorithm: out.algorithm,
      keyId: k1.keyId,
    });
    expect(back.plaintext.toString()).toBe("raw");
  });

  it("BatchReEncrypt moves blobs to another key; BatchGenerateDataKey's keys unwrap with Decrypt", async () => {
    const blob = (await admin.crypto.AdvanceEncrypt({ keyId: k1.keyId, plaintext: pt("move me") })).ciphertextBlob;
    const re = await admin.crypto.BatchReEncrypt({
      items: [
        { reference: "m", request: { ciphertextBlob: blob, destinationKeyId: k2.keyId } },
        { reference: "n", request: { ciphertextBlob: blob, destinationKeyId: disabled.keyId } },
      ],
    });
    const moved = ok(re.results[0]);
    expect([moved.sourceKeyId, moved.keyId]).toEqual([k1.keyId, k2.keyId]);
    expect(failure(re.results[1])).toEqual(["failed_precondition", "DisabledException"]);
    expect((await admin.crypto.Decrypt({ ciphertextBlob: moved.ciphertextBlob })).plaintext.toString()).toBe("move me");

    const dk = await admin.dataKeys.BatchGenerateDataKey({
      items: [
        { reference: "p", request: { keyId: k1.keyId, keySpec: "DATA_KEY_SPEC_AES_256" } },
        { reference: "q", request: { keyId: k2.keyId, numberOfBytes: 16 } },
        { reference: "r", request: { keyId: k2.keyId } },
      ],
    });
    const [p, q] = [ok(dk.results[0]), ok(dk.results[1])];
    expect([p.plaintext.length, q.plaintext.length]).toEqual([32, 16]);
    expect(failure(dk.results[2])).toEqual(["invalid_argument", "ValidationException"]);
    for (const d of [p, q]) {
      expect((await admin.crypto.Decrypt({ ciphertextBlob: d.ciphertextBlob })).plaintext).toEqual(d.plaintext);
    }
  });

  it("authorizes every item on its own: another principal gets its own key and is refused the admin's", async () => {
    const res = await other.dataKeys.BatchGenerateDataKey({
      items: [
        { reference: "mine", request: { keyId: othersKey.keyId, keySpec: "DATA_KEY_SPEC_AES_256" } },
        { reference: "theirs", request: { keyId: k1.keyId, keySpec: "DATA_KEY_SPEC_AES_256" } },
      ],
    });
    expect(ok(res.results[0]).keyId).toBe(othersKey.keyId);
    expect(failure(res.results[1])).toEqual(["permission_denied", "AccessDeniedException"]);
    expect(res.results[1]!.error!.message).not.toContain("batch 1");
  });

  it("refuses an empty batch, more than 1000 items, and answers a too-long reference as that item's error", async () => {
    await expectGrpcError(admin.crypto.BatchEncrypt({ items: [] }), status.INVALID_ARGUMENT, "ValidationException");
    const many = Array.from({ length: 1001 }, () => ({ request: { keyId: k1.keyId, plaintext: pt("x") } }));
    await expectGrpcError(admin.crypto.BatchEncrypt({ items: many }), status.INVALID_ARGUMENT, "ValidationException");
    const res = await admin.crypto.BatchEncrypt({
      items: [
        { reference: "r".repeat(257), request: { keyId: k1.keyId, plaintext: pt("x") } },
        { reference: "r".repeat(256), request: { keyId: k1.keyId, plaintext: pt("x") } },
      ],
    });
    expect(failure(res.results[0])).toEqual(["invalid_argument", "ValidationException"]);
    expect(ok(res.results[1]).keyId).toBe(k1.keyId);
  });

  it("writes one audit record per batch call naming every key used and the item count; the chain verifies", async () => {
    const rows = auditOf("batch-enc-1");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      operation: "kms.v1.CryptoService/BatchEncrypt",
      item_count: 6,
      principal: "admin",
      outcome: "ok",
    });
    expect(rows[0]!.key_id).toBe([k1.keyId, k2.keyId, disabled.keyId].sort().join(","));
    // application/grpc streams go to the grpc-js stack, which serves the batch RPCs like the others.
    // The log is written in batches (at most LOG_FLUSH_MS late), so wait for the call's line.
    const served = await vi.waitFor(() => {
      const lines = server.logs.filter((l) => l.msg === "call" && l.reqId === "batch-enc-1");
      if (lines.length === 0) throw new Error("no call line yet");
      return lines.map((l) => l.stack);
    });
    expect(served).toEqual(["grpc-js"]);
    const verify = await kmsCli(["audit", "verify", ...sqliteArgs(server.dataDir)]);
    expect(verify.code).toBe(0);
  });
});
