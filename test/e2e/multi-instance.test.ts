import { migrationProvider } from "../../src/store/migrations/index.js";
import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectGrpcError, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";
import { dropSchemas } from "../helpers/pg-schema.js";
import { seenWithin } from "../helpers/seen-within.js";

/**
 * Two server processes on one PostgreSQL database (docs/operations.md, "Scaling out"): rotations
 * from both serialise on the key's row lock, and a state change made on one instance is seen by the
 * other within the cross-instance bound (its cache is cleared by PostgreSQL `NOTIFY`, the TTL backs
 * that up); an alias (never cached) on its very next call.
 */

const PG_URL = process.env.KMS_TEST_DATABASE_URL;
// Locally a missing database skips this file; in CI it must fail, or PostgreSQL goes untested.
if (!PG_URL && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");

const schema = `kms_e2e_${randomBytes(6).toString("hex")}`;
let schemaCreated = false;
let a: { server: ServerProcess; c: GrpcClients };
let b: { server: ServerProcess; c: GrpcClients };

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function instance(env: Record<string, string>): Promise<{ server: ServerProcess; c: GrpcClients }> {
  const server = await startServer({ env });
  return { server, c: grpcClients(server.url) };
}

beforeAll(async () => {
  if (!PG_URL) return;
  await admin(`create schema "${schema}"`);
  schemaCreated = true;
  const env = {
    KMS_DATABASE_URL: `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}options=-c%20search_path%3D${schema}`,
    KMS_ROOT_KEY: randomBytes(32).toString("base64"),
  };
  // Both start at once: their migrations race and must serialise on the advisory lock.
  const [x, y] = await Promise.allSettled([instance(env), instance(env)]);
  if (x.status === "fulfilled") a = x.value;
  if (y.status === "fulfilled") b = y.value;
  if (x.status === "rejected") throw x.reason;
  if (y.status === "rejected") throw y.reason;
});

afterAll(async () => {
  for (const i of [a, b]) i?.c.close();
  await Promise.all([a, b].map((i) => i?.server.stop()));
  if (schemaCreated && PG_URL) await dropSchemas(PG_URL, [schema]);
});

const pt = (s: string) => Buffer.from(s, "utf8");

describe.skipIf(!PG_URL)("two instances on one PostgreSQL database", () => {
  it("both ran against the same store", async () => {
    for (const i of [a, b]) {
      expect(i.server.logs.find((l) => l.msg === "kms listening")?.store).toBe("postgres");
    }
    const applied = [a, b].map((i) => i.server.logs.find((l) => l.msg === "store opened")?.applied);
    // Between them the two instances applied every migration exactly once (one took the lock first).
    const names = Object.keys(await migrationProvider("postgres").getMigrations());
    expect(applied.flat().sort()).toEqual(names);
  });

  it("10 interleaved rotations (the most on-demand rotations a key allows) from both instances give exactly 11 versions and one agreed primary", async () => {
    const { key } = await a.c.keys.CreateKey({ description: "rotated from two instances" });
    const rotations = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).c.keys.RotateKey({ keyId: key.keyId })),
    );
    const rotated = rotations.map((r) => r.keyVersionId);
    expect(new Set(rotated).size).toBe(10);

    const listA = await a.c.keys.ListKeyVersions({ keyId: key.keyId, pageSize: 100 });
    const listB = await b.c.keys.ListKeyVersions({ keyId: key.keyId, pageSize: 100 });
    const idsA = listA.keyVersions.map((v) => v.keyVersionId);
    expect(idsA).toHaveLength(11);
    expect(listB.keyVersions.map((v) => v.keyVersionId)).toEqual(idsA);
    expect(idsA[0]).toBe(key.initialKeyVersionId);
    expect([...idsA.slice(1)].sort()).toEqual([...rotated].sort());

    const [onA, onB] = await Promise.all([
      a.c.keys.DescribeKey({ keyId: key.keyId }),
      b.c.keys.DescribeKey({ keyId: key.keyId }),
    ]);
    expect(onA.key.primaryKeyVersionId).toBe(onB.key.primaryKeyVersionId);
    expect(onA.key.initialKeyVersionId).toBe(key.initialKeyVersionId);
    expect(onA.key.primaryKeyVersionId).toBe(idsA[idsA.length - 1]);

    const sealedOnB = await b.c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("after rotations") });
    expect(sealedOnB.keyVersionId).toBe(onA.key.primaryKeyVersionId);
    const openedOnA = await a.c.crypto.AdvanceDecrypt({ ciphertextBlob: sealedOnB.ciphertextBlob });
    expect(openedOnA.plaintext.toString()).toBe("after rotations");
  });

  it("a rotation on A is used by B's encryptions within the bound", async () => {
    const { key } = await a.c.keys.CreateKey({});
    const before = await b.c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("v1") });
    expect(before.keyVersionId).toBe(key.initialKeyVersionId);
    const rotated = await a.c.keys.RotateKey({ keyId: key.keyId });
    const rotatedAt = Date.now();
    await seenWithin(rotatedAt, async () => {
      const after = await b.c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("v2") });
      expect(after.keyVersionId).toBe(rotated.keyVersionId);
    });
  });

  it("a key disabled on A is refused on B within the bound, and usable again once re-enabled", async () => {
    const { key } = await a.c.keys.CreateKey({});
    const sealed = await b.c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("warm B's cache") });
    expect((await b.c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob })).plaintext.toString()).toBe(
      "warm B's cache",
    );

    await a.c.keys.DisableKey({ keyId: key.keyId });
    await seenWithin(Date.now(), () =>
      expectGrpcError(
        b.c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: pt("x") }),
        grpc.status.FAILED_PRECONDITION,
        "DisabledException",
      ),
    );
    await expectGrpcError(
      b.c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob }),
      grpc.status.FAILED_PRECONDITION,
      "DisabledException",
    );
    await expectGrpcError(
      b.c.dataKeys.GenerateDataKey({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" }),
      grpc.status.FAILED_PRECONDITION,
      "DisabledException",
    );
    expect((await b.c.keys.DescribeKey({ keyId: key.keyId })).key.keyState).toBe("KEY_STATE_DISABLED");

    await b.c.keys.EnableKey({ keyId: key.keyId });
    await seenWithin(Date.now(), async () =>
      expect((await a.c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob })).plaintext.toString()).toBe(
        "warm B's cache",
      ),
    );

    await b.c.keys.ScheduleKeyDeletion({ keyId: key.keyId, pendingWindowDays: 7 });
    await seenWithin(Date.now(), () =>
      expectGrpcError(
        a.c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob }),
        grpc.status.FAILED_PRECONDITION,
        "KMSInvalidStateException",
      ),
    );
  });

  it("an alias created on A resolves on B; updates and deletes are seen across instances", async () => {
    const [{ key: first }, { key: second }] = await Promise.all([
      a.c.keys.CreateKey({ description: "first" }),
      b.c.keys.CreateKey({ description: "second" }),
    ]);
    const aliasName = `alias/multi-${first.keyId.slice(0, 8)}`;
    await a.c.keys.CreateAlias({ aliasName, keyId: first.keyId });
    expect((await b.c.keys.DescribeKey({ keyId: aliasName })).key.keyId).toBe(first.keyId);
    const sealed = await b.c.crypto.AdvanceEncrypt({ keyId: aliasName, plaintext: pt("via alias") });
    expect(sealed.keyId).toBe(first.keyId);
    await expectGrpcError(
      b.c.keys.CreateAlias({ aliasName, keyId: second.keyId }),
      grpc.status.ALREADY_EXISTS,
      "AlreadyExistsException",
    );

    await b.c.keys.UpdateAlias({ aliasName, keyId: second.keyId });
    expect((await a.c.keys.DescribeKey({ keyId: aliasName })).key.keyId).toBe(second.keyId);

    await a.c.keys.DeleteAlias({ aliasName });
    await expectGrpcError(b.c.keys.DescribeKey({ keyId: aliasName }), grpc.status.NOT_FOUND, "NotFoundException");
  });
});
