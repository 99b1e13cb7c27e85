import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { dropSchemas } from "../helpers/pg-schema.js";
import { ROOT, type ServerProcess, startServer } from "../helpers/server-process.js";
import { createSoftHsm, type SoftHsm } from "../helpers/softhsm.js";

/**
 * Online root-key rotation (`kms root-key rotate`, docs/operations.md "Root key rotation"): under
 * a steady load of calls the rotation is killed with SIGKILL half-way, `status` shows rows under
 * both keys, a re-run finishes, and not one call fails. The same rotation migrates a raw root key
 * into a PKCS#11 token (SoftHSM2) and back out; on PostgreSQL two instances keep serving and each
 * learns the new key while running.
 */

const PG_URL = process.env.KMS_TEST_DATABASE_URL;
if (!PG_URL && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");

let hsm: SoftHsm;
const servers: ServerProcess[] = [];
const clients: GrpcClients[] = [];
const schemas: string[] = [];

beforeAll(() => {
  hsm = createSoftHsm("kms-rotation");
  hsm.createKey("kms-root-hsm");
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
  hsm?.remove();
  if (PG_URL && schemas.length > 0) await dropSchemas(PG_URL, schemas);
});

const rawKey = () => randomBytes(32).toString("base64");

async function serve(dataDir: string, env: Record<string, string>): Promise<{ server: ServerProcess; c: GrpcClients }> {
  const server = await startServer({ dataDir, env, timeoutMs: 90_000 });
  servers.push(server);
  const c = grpcClients(server.url);
  clients.push(c);
  return { server, c };
}

/** `kms root-key …` as a child process; `onLine` sees each stderr line (and may kill the child). */
function kms(
  args: string[],
  env: Record<string, string>,
  onLine?: (line: string, child: ChildProcess) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["bin/kms.mjs", ...args], {
    cwd: ROOT,
    env: { ...process.env, KMS_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    const text = d.toString();
    stderr += text;
    for (const line of text.split("\n")) if (line) onLine?.(line, child);
  });
  return new Promise((res) => child.once("close", (code, signal) => res({ code, signal, stdout, stderr })));
}

interface Usage {
  id: string;
  state: string;
  versions: number;
  principals: number;
}

async function status(env: Record<string, string>): Promise<Usage[]> {
  const out = await kms(["root-key", "status"], env);
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as Usage[];
}

const under = (usage: Usage[], id: string) => {
  const row = usage.find((u) => u.id === id);
  return row ? row.versions + row.principals : 0;
};

/** Keys with several versions each, and a ciphertext under every key. */
async function populate(c: GrpcClients, keys: number, rotations: number): Promise<{ keyId: string; blob: Buffer }[]> {
  const out: { keyId: string; blob: Buffer }[] = [];
  for (let i = 0; i < keys; i++) {
    const { key } = await c.keys.CreateKey({ description: `rotation ${i}` });
    for (let r = 0; r < rotations; r++) await c.keys.RotateKey({ keyId: key.keyId });
    const sealed = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from(`p-${i}`) });
    out.push({ keyId: key.keyId, blob: sealed.ciphertextBlob });
  }
  return out;
}

/**
 * Calls that must all succeed while a rotation runs: decrypt an old ciphertext, encrypt and
 * decrypt under an existing key, and now and then create a key (a wrap under whichever root key
 * is active) and use it at once.
 */
function load(targets: GrpcClients[], sealed: { keyId: string; blob: Buffer }[]) {
  let running = true;
  const failures: string[] = [];
  let calls = 0;
  const loop = async (c: GrpcClients, n: number) => {
    let i = n;
    while (running && failures.length < 20) {
      // Yield to the event loop every call, so a failing call cannot starve it.
      await new Promise((r) => setImmediate(r));
      i++;
      const item = sealed[i % sealed.length]!;
      try {
        const opened = await c.crypto.AdvanceDecrypt({ ciphertextBlob: item.blob });
        expect(opened.plaintext.toString()).toMatch(/^p-\d+$/);
        if (i % 5 === 0) {
          const { key } = await c.keys.CreateKey({ description: "during rotation" });
          const s = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from("fresh") });
          const other = targets[(n + 1) % targets.length]!;
          expect((await other.crypto.AdvanceDecrypt({ ciphertextBlob: s.ciphertextBlob })).plaintext.toString()).toBe(
            "fresh",
          );
        }
        calls++;
      } catch (err) {
        failures.push(String((err as Error).message ?? err));
      }
    }
  };
  const loops = targets.flatMap((c, n) => [loop(c, n * 1000), loop(c, n * 1000 + 500)]);
  return {
    calls: () => calls,
    async stop() {
      running = false;
      await Promise.all(loops);
      return failures;
    },
  };
}

/** Progress on stderr, so a slow run shows where it is. */
const step = (what: string) => process.stderr.write(`root-key-rotation: ${what}\n`);

async function waitFor(check: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("root-key rotation on SQLite: raw → PKCS#11 → raw file", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "kms-rotate-"));
  const keyA = rawKey();
  const token = () => ({ ...hsm.env() });

  it("rotates into the token under load, killed with SIGKILL half-way and finished by a re-run", async () => {
    const { c } = await serve(dataDir, { KMS_ROOT_KEY: keyA, ...token() });
    const sealed = await populate(c, 40, 4);
    step("populated");
    const before = await status({ KMS_DATA_DIR: dataDir, KMS_ROOT_KEY: keyA });
    const idA = before.find((u) => u.state === "active")!.id;
    expect(under(before, idA)).toBeGreaterThanOrEqual(200);

    const traffic = load([c], sealed);
    await waitFor(() => traffic.calls() > 20);
    const rotateEnv = {
      KMS_DATA_DIR: dataDir,
      KMS_ROOT_KEY: keyA,
      ...token(),
      KMS_NEW_ROOT_KEY_PKCS11_KEY: "kms-root-hsm",
    };
    // Paced (10 rows a transaction, 250 ms apart) so that the kill lands half-way on a busy machine.
    const paced = { ...rotateEnv, KMS_ROTATE_BATCH: "10", KMS_ROTATE_PAUSE_MS: "250" };
    const killed = await kms(["root-key", "rotate"], paced, (line, child) => {
      if (line.startsWith("re-wrapped")) child.kill("SIGKILL");
    });
    step("killed");
    expect(killed.signal, `${killed.stdout}${killed.stderr}`).toBe("SIGKILL");
    const half = await status({ KMS_DATA_DIR: dataDir, KMS_ROOT_KEY: keyA, ...token() });
    const p11 = half.find((u) => u.state === "active")!;
    expect(p11.id).toMatch(/^p11-/);
    expect(under(half, idA)).toBeGreaterThan(0);
    expect(under(half, p11.id)).toBeGreaterThan(0);

    step("half-way status checked");
    const done = await kms(["root-key", "rotate"], rotateEnv);
    step("re-run done");
    expect(done.code, done.stderr).toBe(0);
    const callsAtEnd = traffic.calls();
    await waitFor(() => traffic.calls() > callsAtEnd + 10);
    expect(await traffic.stop()).toEqual([]);

    const after = await status({ KMS_DATA_DIR: dataDir, ...hsm.env("kms-root-hsm") });
    expect(under(after, idA)).toBe(0);
    expect(after.find((u) => u.id === idA)?.state).toBe("retired");
    expect(under(after, p11.id)).toBeGreaterThanOrEqual(200);
  }, 600_000);

  it("serves from the token alone after a restart, refuses the old raw key, and migrates back to a key file", async () => {
    for (const s of servers.splice(0)) await s.stop();
    const refused = await kms(["root-key", "status"], { KMS_DATA_DIR: dataDir, KMS_ROOT_KEY: keyA });
    expect(refused.code).toBe(1);
    const { c } = await serve(dataDir, hsm.env("kms-root-hsm"));
    const listed = await c.keys.ListKeys({ pageSize: 1000 });
    expect(listed.keys.length).toBeGreaterThanOrEqual(40);
    const { key } = await c.keys.CreateKey({ description: "under the token" });
    const sealed = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from("p-0") });

    const fileB = join(dataDir, "..", "root-b.key");
    writeFileSync(fileB, `${rawKey()}\n`, { mode: 0o600 });
    const traffic = load([c], [{ keyId: key.keyId, blob: sealed.ciphertextBlob }]);
    await waitFor(() => traffic.calls() > 10);
    const back = await kms(["root-key", "rotate"], {
      KMS_DATA_DIR: dataDir,
      ...hsm.env("kms-root-hsm"),
      KMS_NEW_ROOT_KEY_FILE: fileB,
    });
    expect(back.code, back.stderr).toBe(0);
    const callsAtEnd = traffic.calls();
    await waitFor(() => traffic.calls() > callsAtEnd + 10);
    expect(await traffic.stop()).toEqual([]);

    for (const s of servers.splice(0)) await s.stop();
    const { c: again } = await serve(dataDir, { KMS_ROOT_KEY_FILE: fileB });
    expect((await again.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob })).plaintext.toString()).toBe(
      "p-0",
    );
    const usage = await status({ KMS_DATA_DIR: dataDir, KMS_ROOT_KEY_FILE: fileB });
    expect(usage.filter((u) => u.state !== "retired").map((u) => u.state)).toEqual(["active"]);
  }, 600_000);
});

describe.skipIf(!PG_URL)("root-key rotation on PostgreSQL with two instances", () => {
  it("both instances keep serving and learn the new key while running", async () => {
    const schema = `kms_rot_${randomBytes(6).toString("hex")}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`create schema "${schema}"`);
    await client.end();
    schemas.push(schema);
    const url = `${PG_URL}${PG_URL!.includes("?") ? "&" : "?"}options=-c%20search_path%3D${schema}`;
    const keyA = rawKey();
    const keyB = rawKey();
    const envA = { KMS_DATABASE_URL: url, KMS_ROOT_KEY: keyA };
    const one = await serve(mkdtempSync(join(tmpdir(), "kms-rot-pg-")), envA);
    const two = await serve(mkdtempSync(join(tmpdir(), "kms-rot-pg-")), envA);
    const sealed = await populate(one.c, 20, 2);

    const traffic = load([one.c, two.c], sealed);
    await waitFor(() => traffic.calls() > 20);
    const rotated = await kms(["root-key", "rotate"], { ...envA, KMS_NEW_ROOT_KEY: keyB });
    expect(rotated.code, rotated.stderr).toBe(0);
    const callsAtEnd = traffic.calls();
    await waitFor(() => traffic.calls() > callsAtEnd + 20);
    expect(await traffic.stop()).toEqual([]);

    // Material wrapped now is under B: instance two opens what instance one just created.
    const { key } = await one.c.keys.CreateKey({ description: "after rotation" });
    const s = await one.c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from("both") });
    expect((await two.c.crypto.AdvanceDecrypt({ ciphertextBlob: s.ciphertextBlob })).plaintext.toString()).toBe("both");

    // The copy of B wrapped under A is gone: A alone no longer starts an instance; B does.
    const refused = await kms(["root-key", "status"], envA);
    expect(refused.code).toBe(1);
    const usage = await status({ KMS_DATABASE_URL: url, KMS_ROOT_KEY: keyB });
    expect(usage.filter((u) => u.versions + u.principals > 0).map((u) => u.state)).toEqual(["active"]);
  }, 600_000);
});
