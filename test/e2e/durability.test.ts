import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { ROOT, type ServerProcess, startServer } from "../helpers/server-process.js";
import { dropSchemas } from "../helpers/pg-schema.js";

/**
 * What the server acknowledged survives a crash: a burst of CreateKey / RotateKey / AdvanceEncrypt
 * calls is cut by SIGKILL while calls are in flight, the server is restarted on the same data
 * with the same root key, and every acknowledged key, version and ciphertext is still there and
 * works. A different root key on the same data is refused at start-up.
 */

const PG_URL = process.env.KMS_TEST_DATABASE_URL;
// Locally a missing database skips the PostgreSQL half; in CI it must fail, or it goes untested.
if (!PG_URL && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");

const schemas: string[] = [];
const servers: ServerProcess[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
  if (!PG_URL || schemas.length === 0) return;
  await dropSchemas(PG_URL, schemas);
});

/** A fresh schema, and the server URL that selects it through libpq's `options` parameter. */
async function freshPostgres(): Promise<string> {
  const schema = `kms_e2e_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`create schema "${schema}"`);
  } finally {
    await client.end();
  }
  schemas.push(schema);
  return `${PG_URL}${PG_URL!.includes("?") ? "&" : "?"}options=-c%20search_path%3D${schema}`;
}

async function start(env: Record<string, string>, dataDir: string): Promise<ServerProcess> {
  const server = await startServer({ env, dataDir });
  servers.push(server);
  return server;
}

/** Starts `npm start` expecting it to fail; a server that starts listening is killed and reported. */
function startExpectingFailure(
  env: Record<string, string>,
  dataDir: string,
): Promise<{ code: number | null; output: string; listened: boolean }> {
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: { ...process.env, KMS_LISTEN: "127.0.0.1:0", KMS_DATA_DIR: dataDir, KMS_WORKERS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  let listened = false;
  const killGroup = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {}
  };
  const onData = (d: Buffer) => {
    output += d.toString();
    if (!listened && output.includes('"kms listening"')) {
      listened = true;
      killGroup();
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const timer = setTimeout(killGroup, 30_000);
  return new Promise((res) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      res({ code, output, listened });
    }),
  );
}

interface Sealed {
  keyId: string;
  blob: Buffer;
  plaintext: string;
}

/** Everything the server acknowledged: key id → its acknowledged version ids, and ciphertexts. */
class Ledger {
  readonly versions = new Map<string, Set<string>>();
  readonly sealed: Sealed[] = [];
  addVersion(keyId: string, versionId: string): void {
    const set = this.versions.get(keyId) ?? new Set<string>();
    set.add(versionId);
    this.versions.set(keyId, set);
  }
}

async function createAndSeal(c: GrpcClients, ledger: Ledger, label: string): Promise<string> {
  const { key } = await c.keys.CreateKey({ description: label });
  ledger.addVersion(key.keyId, key.initialKeyVersionId);
  return key.keyId;
}

async function seal(c: GrpcClients, ledger: Ledger, keyId: string, plaintext: string): Promise<void> {
  const out = await c.crypto.AdvanceEncrypt({ keyId, plaintext: Buffer.from(plaintext) });
  expect(out.keyId).toBe(keyId);
  ledger.addVersion(keyId, out.keyVersionId);
  ledger.sealed.push({ keyId, blob: out.ciphertextBlob, plaintext });
}

async function rotate(c: GrpcClients, ledger: Ledger, keyId: string): Promise<void> {
  const out = await c.keys.RotateKey({ keyId });
  expect(out.key.primaryKeyVersionId).toBe(out.keyVersionId);
  ledger.addVersion(keyId, out.keyVersionId);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listAll<T>(fetchPage: (pageToken: string) => Promise<{ items: T[]; next: string }>): Promise<T[]> {
  const out: T[] = [];
  let token = "";
  do {
    const page = await fetchPage(token);
    out.push(...page.items);
    token = page.next;
  } while (token !== "");
  return out;
}

/** Checks that every acknowledged key, version and ciphertext is present and works. */
async function verify(c: GrpcClients, ledger: Ledger): Promise<void> {
  const listed = await listAll(async (pageToken) => {
    const page = await c.keys.ListKeys({ pageSize: 1000, pageToken });
    return { items: page.keys.map((k) => k.keyId), next: page.nextPageToken };
  });
  const missingKeys = [...ledger.versions.keys()].filter((id) => !listed.includes(id));
  expect(missingKeys).toEqual([]);

  for (const [keyId, acked] of ledger.versions) {
    const versions = await listAll(async (pageToken) => {
      const page = await c.keys.ListKeyVersions({ keyId, pageSize: 1000, pageToken });
      return { items: page.keyVersions.map((v) => v.keyVersionId), next: page.nextPageToken };
    });
    expect({ keyId, missing: [...acked].filter((v) => !versions.includes(v)) }).toEqual({ keyId, missing: [] });
    const { key } = await c.keys.DescribeKey({ keyId });
    expect(key.keyState).toBe("KEY_STATE_ENABLED");
    expect(versions).toContain(key.primaryKeyVersionId);
    expect(versions[0]).toBe(key.initialKeyVersionId);
  }

  await Promise.all(
    ledger.sealed.map(async ({ keyId, blob, plaintext }) => {
      const opened = await c.crypto.AdvanceDecrypt({ ciphertextBlob: blob });
      expect({ keyId: opened.keyId, plaintext: opened.plaintext.toString() }).toEqual({ keyId, plaintext });
    }),
  );

  await Promise.all(
    [...ledger.versions.keys()].map(async (keyId) => {
      const sealed = await c.crypto.AdvanceEncrypt({ keyId, plaintext: Buffer.from(`after restart ${keyId}`) });
      const opened = await c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob });
      expect(opened.plaintext.toString()).toBe(`after restart ${keyId}`);
    }),
  );
}

interface Backend {
  name: string;
  skip: boolean;
  /** The env that selects the same store on every start. */
  env(): Promise<Record<string, string>>;
}

const backends: Backend[] = [
  { name: "SQLite", skip: false, env: async () => ({}) },
  { name: "PostgreSQL", skip: !PG_URL, env: async () => ({ KMS_DATABASE_URL: await freshPostgres() }) },
];

describe.each(backends)("durability on $name", ({ skip, env }) => {
  it.skipIf(skip)(
    "every acknowledged key, version and ciphertext survives SIGKILL mid-burst; another root key is refused",
    async () => {
      const rootKey = randomBytes(32).toString("base64");
      const storeEnv = { ...(await env()), KMS_ROOT_KEY: rootKey };
      const dataDir = mkdtempSync(join(tmpdir(), "kms-e2e-durability-"));
      const ledger = new Ledger();

      const first = await start(storeEnv, dataDir);
      const c1 = grpcClients(first.url);
      try {
        const base = await Promise.all(Array.from({ length: 20 }, (_, i) => createAndSeal(c1, ledger, `base-${i}`)));
        await Promise.all(base.slice(0, 10).map((keyId) => rotate(c1, ledger, keyId)));
        await Promise.all(base.map((keyId, i) => seal(c1, ledger, keyId, `base plaintext ${i}`)));

        // The burst: workers keep creating, sealing and rotating until the process is killed.
        let inFlight = 0;
        let burstCreates = 0;
        let killed = false;
        const tracked = async <T>(p: Promise<T>): Promise<T> => {
          inFlight++;
          try {
            return await p;
          } finally {
            inFlight--;
          }
        };
        const worker = async (w: number) => {
          for (let i = 0; !killed; i++) {
            try {
              const { key } = await tracked(c1.keys.CreateKey({ description: `burst-${w}-${i}` }));
              ledger.addVersion(key.keyId, key.initialKeyVersionId);
              burstCreates++;
              await tracked(seal(c1, ledger, key.keyId, `burst ${w}-${i}`));
              await tracked(rotate(c1, ledger, base[(w + i) % base.length]!));
              await tracked(seal(c1, ledger, base[(w * 7 + i) % base.length]!, `burst base ${w}-${i}`));
            } catch {
              if (killed) return;
              throw new Error("a burst call failed before the kill");
            }
          }
        };
        const failures: unknown[] = [];
        const workers = Array.from({ length: 8 }, (_, w) => worker(w).catch((err: unknown) => failures.push(err)));
        const deadline = Date.now() + 20_000;
        while (burstCreates < 12 && Date.now() < deadline) await sleep(5);
        expect(burstCreates).toBeGreaterThanOrEqual(12);
        killed = true;
        const inFlightAtKill = inFlight;
        process.kill(first.pid, "SIGKILL");
        expect(inFlightAtKill).toBeGreaterThan(0);
        await Promise.all(workers);
        expect(failures).toEqual([]);
        await first.exited;
      } finally {
        c1.close();
      }
      expect(ledger.versions.size).toBeGreaterThanOrEqual(32);

      const wrongKey = await startExpectingFailure(
        { ...storeEnv, KMS_ROOT_KEY: randomBytes(32).toString("base64") },
        dataDir,
      );
      expect(wrongKey.listened).toBe(false);
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.output).toMatch(/root key/i);

      const second = await start(storeEnv, dataDir);
      const c2 = grpcClients(second.url);
      try {
        await verify(c2, ledger);
      } finally {
        c2.close();
      }
      expect(await second.stop()).toBe(0);
    },
  );
});
