import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../src/security/audit-chain.js";
import type { AuditRecord } from "../../src/domain/security-records.js";
import { openStore } from "../../src/store/open-store.js";
import { type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { type PrivatePostgres, startPrivatePostgres } from "../helpers/private-postgres.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * `kill -9` of one of two instances sharing one PostgreSQL, in the middle of a burst of writes
 * through both: every call either instance acknowledged — a new key, a rotation, a ciphertext, a
 * data key — is still there and works through the surviving instance, and its audit record is in
 * an intact chain. Calls cut by the kill may have happened or not; none may half-happen.
 */

const CALLERS = 16;

let pgc: PrivatePostgres;
let a: { server: ServerProcess; c: GrpcClients };
let b: { server: ServerProcess; c: GrpcClients };

beforeAll(async () => {
  pgc = await startPrivatePostgres();
  const env = { KMS_DATABASE_URL: pgc.url, KMS_ROOT_KEY: randomBytes(32).toString("base64") };
  const [x, y] = await Promise.all([startServer({ env }), startServer({ env })]);
  a = { server: x, c: grpcClients(x.url) };
  b = { server: y, c: grpcClients(y.url) };
});

afterAll(async () => {
  for (const i of [a, b]) i?.c.close();
  await Promise.all([a, b].map((i) => i?.server.stop("SIGKILL")));
  await pgc?.destroy();
});

interface Acked {
  requestIds: string[];
  keys: string[];
  versions: string[];
  sealed: { blob: Buffer; plaintext: Buffer }[];
  dataKeys: { blob: Buffer; plaintext: Buffer }[];
  failedOnA: number;
}

/** One call of the burst, chosen by its number; what it acknowledged is added to `acked`. */
async function oneCall(c: GrpcClients, keyId: string, i: number, md: grpc.Metadata, acked: Acked): Promise<void> {
  const plaintext = randomBytes(24);
  switch (i % 4) {
    case 0:
      acked.keys.push((await c.keys.CreateKey({ description: "burst" }, md)).key.keyId);
      return;
    case 1:
      acked.versions.push((await c.keys.RotateKey({ keyId }, md)).keyVersionId);
      return;
    case 2:
      acked.sealed.push({ blob: (await c.crypto.AdvanceEncrypt({ keyId, plaintext }, md)).ciphertextBlob, plaintext });
      return;
    default: {
      const dk = await c.dataKeys.GenerateDataKey({ keyId, keySpec: "DATA_KEY_SPEC_AES_256" }, md);
      acked.dataKeys.push({ blob: dk.ciphertextBlob, plaintext: dk.plaintext });
    }
  }
}

async function allVersions(keyId: string): Promise<string[]> {
  const ids: string[] = [];
  let pageToken = "";
  do {
    const page = await b.c.keys.ListKeyVersions({ keyId, pageSize: 100, pageToken });
    ids.push(...page.keyVersions.map((v) => v.keyVersionId));
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return ids;
}

async function allAudit(): Promise<AuditRecord[]> {
  const store = await openStore({ databaseUrl: pgc.url, dataDir: "unused" });
  try {
    const records: AuditRecord[] = [];
    for (
      let page = await store.listAudit(0, 1000);
      page.length > 0;
      page = await store.listAudit(records.at(-1)!.seq, 1000)
    ) {
      records.push(...page);
    }
    return records;
  } finally {
    await store.close();
  }
}

/** Polls `done` every 50 ms for up to 30 s; the assertions that follow say what was missing. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe("kill -9 of one of two PostgreSQL-backed instances mid-burst", () => {
  it("loses nothing either instance acknowledged", async () => {
    const { key } = await b.c.keys.CreateKey({ description: "shared by the burst" });
    const acked: Acked = { requestIds: [], keys: [], versions: [], sealed: [], dataKeys: [], failedOnA: 0 };
    let running = true;
    const caller = async (n: number) => {
      const target = n % 2 === 0 ? a : b;
      for (let i = 0; running; i++) {
        const requestId = `kill-${n}-${i}`;
        const md = new grpc.Metadata();
        md.set("x-request-id", requestId);
        try {
          await oneCall(target.c, key.keyId, i, md, acked);
          acked.requestIds.push(requestId);
        } catch {
          if (target === a) acked.failedOnA++;
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    };
    const burst = Promise.all(Array.from({ length: CALLERS }, (_, n) => caller(n)));
    // Wait for acknowledgements rather than for a fixed time: on a loaded machine the first calls
    // can take seconds, and a kill before any call was acknowledged would prove nothing.
    await until(() => acked.requestIds.length >= 20);
    const ackedBeforeKill = acked.requestIds.length;
    await a.server.stop("SIGKILL");
    await until(() => acked.failedOnA > 0);
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await burst;

    expect(ackedBeforeKill).toBeGreaterThan(0);
    expect(acked.failedOnA).toBeGreaterThan(0);
    expect(b.server.child.exitCode).toBeNull();

    const described = await Promise.all(acked.keys.map((keyId) => b.c.keys.DescribeKey({ keyId })));
    expect(described.map((d) => d.key.keyState)).toEqual(acked.keys.map(() => "KEY_STATE_ENABLED"));
    const versions = new Set(await allVersions(key.keyId));
    expect(acked.versions.filter((v) => !versions.has(v))).toEqual([]);
    for (const s of [...acked.sealed, ...acked.dataKeys]) {
      const opened = await b.c.crypto.AdvanceDecrypt({ ciphertextBlob: s.blob });
      expect(opened.plaintext.equals(s.plaintext)).toBe(true);
    }

    const audit = await allAudit();
    expect(await verifyAuditChain(audit)).toMatchObject({ ok: true, count: audit.length });
    const audited = new Set(audit.map((r) => r.requestId));
    expect(acked.requestIds.filter((id) => !audited.has(id))).toEqual([]);
  }, 90_000);
});
