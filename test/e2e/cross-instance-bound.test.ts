import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorInfoReason, type GrpcClients, grpcClients, isServiceError } from "../helpers/grpc-client.js";
import { dropSchemas } from "../helpers/pg-schema.js";
import { kmsCli, type PrincipalCredentials } from "../helpers/security.js";
import { CROSS_INSTANCE_BOUND_MS } from "../helpers/seen-within.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * The bound on how late one instance sees another's change, under load: B serves a steady loop of
 * calls (its caches hot) while A disables a key, or the CLI deletes a principal, on the shared
 * PostgreSQL. Every call B *starts* later than the bound after the change returned must be refused.
 */

const PG_URL = process.env.KMS_TEST_DATABASE_URL;
if (!PG_URL && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");

const schema = `kms_bound_${randomBytes(6).toString("hex")}`;
let env: Record<string, string>;
let a: ServerProcess;
let b: ServerProcess;
let aClients: GrpcClients;

interface Outcome {
  started: number;
  ended: number;
  ok: boolean;
  code?: number | undefined;
  reason?: string | undefined;
}

/** Four concurrent loops of `call` on B; `change` runs after 1 s; load goes on 1.5 s past the bound. */
async function underLoad(
  call: () => Promise<unknown>,
  change: () => Promise<void>,
): Promise<{ changeStarted: number; changedAt: number; outcomes: Outcome[] }> {
  const outcomes: Outcome[] = [];
  let stopAt = Number.POSITIVE_INFINITY;
  const loop = async () => {
    while (Date.now() < stopAt) {
      const started = Date.now();
      try {
        await call();
        outcomes.push({ started, ended: Date.now(), ok: true });
      } catch (err) {
        if (!isServiceError(err)) throw err;
        outcomes.push({ started, ended: Date.now(), ok: false, code: err.code, reason: errorInfoReason(err) });
      }
    }
  };
  const loops = Array.from({ length: 4 }, loop);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const changeStarted = Date.now();
  await change();
  const changedAt = Date.now();
  stopAt = changedAt + CROSS_INSTANCE_BOUND_MS + 1_500;
  await Promise.all(loops);
  return { changeStarted, changedAt, outcomes };
}

/** Calls answered before the change began succeeded; every call started past the bound was refused. */
function expectRefusedAfterBound(
  r: { changeStarted: number; changedAt: number; outcomes: Outcome[] },
  code: grpc.status,
  reason: string,
) {
  const before = r.outcomes.filter((o) => o.ended < r.changeStarted);
  const late = r.outcomes.filter((o) => o.started > r.changedAt + CROSS_INSTANCE_BOUND_MS);
  expect(before.length).toBeGreaterThan(0);
  expect(before.every((o) => o.ok)).toBe(true);
  expect(late.length).toBeGreaterThan(0);
  expect(late.filter((o) => o.ok || o.code !== code || o.reason !== reason)).toEqual([]);
}

beforeAll(async () => {
  if (!PG_URL) return;
  env = {
    KMS_DATABASE_URL: `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}options=-c%20search_path%3D${schema}`,
    KMS_ROOT_KEY: randomBytes(32).toString("base64"),
  };
  const { default: pg } = await import("pg");
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema "${schema}"`).finally(() => admin.end());
  a = await startServer({ env });
  b = await startServer({ env });
  aClients = grpcClients(a.url);
});

afterAll(async () => {
  aClients?.close();
  await Promise.all([a?.stop(), b?.stop()]);
  if (PG_URL) await dropSchemas(PG_URL, [schema]);
});

describe.skipIf(!PG_URL)("cross-instance staleness bound under load (PostgreSQL)", () => {
  it("a key disabled on A is refused by every call B starts after the bound", async () => {
    const { key } = await aClients.keys.CreateKey({});
    const onB = grpcClients(b.url);
    try {
      const r = await underLoad(
        () => onB.dataKeys.GenerateDataKey({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" }),
        async () => {
          await aClients.keys.DisableKey({ keyId: key.keyId });
        },
      );
      expectRefusedAfterBound(r, grpc.status.FAILED_PRECONDITION, "DisabledException");
    } finally {
      onB.close();
    }
  });

  it("a principal deleted through the CLI is refused by every call B starts after the bound", async () => {
    const { key } = await aClients.keys.CreateKey({});
    const created = await kmsCli(["principal", "create", "bound-victim", "--admin"], env);
    expect(created.code).toBe(0);
    const who = JSON.parse(created.stdout) as PrincipalCredentials;
    const onB = grpcClients(b.url, who.token);
    try {
      const r = await underLoad(
        () => onB.dataKeys.GenerateDataKey({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" }),
        async () => {
          const out = await kmsCli(["principal", "delete", "bound-victim"], env);
          expect(out.code).toBe(0);
        },
      );
      expectRefusedAfterBound(r, grpc.status.UNAUTHENTICATED, "UnrecognizedClientException");
    } finally {
      onB.close();
    }
  });
});
