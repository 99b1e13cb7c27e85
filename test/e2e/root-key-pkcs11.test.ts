import { spawn } from "node:child_process";
import { createDecipheriv } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import Database from "better-sqlite3";
import pkcs11 from "pkcs11js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectGrpcError, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { ROOT, type ServerProcess, startServer } from "../helpers/server-process.js";
import { createSoftHsm, type SoftHsm } from "../helpers/softhsm.js";
import { sqliteFile } from "../../src/store/open-store.js";

/**
 * The root key in a PKCS#11 token (SoftHSM2, a private token per run made by this setup): the
 * service wraps and unwraps inside the token, the key's value cannot be read out, and the token
 * failing while serving is an `unavailable` answer, never a crash, with recovery when it is back.
 */

let hsm: SoftHsm;
const servers: ServerProcess[] = [];
const clients: GrpcClients[] = [];

beforeAll(() => {
  hsm = createSoftHsm("kms-e2e");
  hsm.createKey("kms-root");
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.stop("SIGKILL")));
  hsm?.remove();
});

async function start(dataDir: string, env: Record<string, string> = hsm.env("kms-root")): Promise<ServerProcess> {
  const server = await startServer({ dataDir, env, timeoutMs: 90_000 });
  servers.push(server);
  return server;
}

function connect(server: ServerProcess): GrpcClients {
  const c = grpcClients(server.url);
  clients.push(c);
  return c;
}

/** Polls `check` until it returns true; fails after `ms`. Waits on a condition, never a fixed time. */
async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `npm start` expecting it to exit before listening; returns its exit code and stderr. */
function startExpectingFailure(
  dataDir: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: { ...process.env, KMS_LISTEN: "127.0.0.1:0", KMS_DATA_DIR: dataDir, KMS_WORKERS: "1", ...env },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 60_000);
  return new Promise((res) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      res({ code, stderr });
    }),
  );
}

describe("PKCS#11 root key (SoftHSM2)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "kms-p11-"));
  let keyId = "";
  let blob: Buffer;

  it("round-trips through the real server, and decrypts after a restart", async () => {
    const server = await start(dataDir);
    const c = connect(server);
    const { key } = await c.keys.CreateKey({ description: "in the token" });
    keyId = key.keyId;
    const sealed = await c.crypto.AdvanceEncrypt({ keyId, plaintext: Buffer.from("under a hardware root") });
    blob = sealed.ciphertextBlob;
    const dk = await c.dataKeys.GenerateDataKey({ keyId, keySpec: "DATA_KEY_SPEC_AES_256" });
    expect((await c.crypto.AdvanceDecrypt({ ciphertextBlob: blob })).plaintext.toString()).toBe(
      "under a hardware root",
    );
    expect(server.logs.find((l) => l.msg === "root keyring open")).toMatchObject({ kind: "pkcs11" });
    await server.stop();

    const again = connect(await start(dataDir));
    expect((await again.crypto.AdvanceDecrypt({ ciphertextBlob: blob })).plaintext.toString()).toBe(
      "under a hardware root",
    );
    const opened = await again.crypto.AdvanceDecrypt({ ciphertextBlob: dk.ciphertextBlob });
    expect(Buffer.from(opened.plaintext).equals(Buffer.from(dk.plaintext))).toBe(true);
  }, 180_000);

  it("stores material that no key outside the token opens, and leaves no root key on disk", () => {
    expect(existsSync(join(dataDir, "root-key.dev"))).toBe(false);
    expect(readdirSync(dataDir).filter((f) => f.includes("key"))).toEqual([]);
    const db = new Database(sqliteFile(dataDir), { readonly: true });
    const rows = db.prepare("select wrapped_material from kms_key_versions where key_id = ?").all(keyId) as {
      wrapped_material: Buffer;
    }[];
    const active = db.prepare("select value from kms_meta where name = 'root_key_active'").get() as { value: string };
    db.close();
    expect(active.value).toMatch(/^p11-[0-9a-f]{12}$/);
    expect(rows.length).toBe(1);
    const wrapped = rows[0]!.wrapped_material;
    const idLength = wrapped[1]!;
    expect(wrapped[0]).toBe(0x02);
    expect(wrapped.subarray(2, 2 + idLength).toString()).toBe(active.value);
    // The blob's body opens under no 32-byte key we can name outside the token.
    const iv = wrapped.subarray(2 + idLength, 14 + idLength);
    const body = wrapped.subarray(14 + idLength, wrapped.length - 16);
    for (const candidate of [Buffer.alloc(32), Buffer.alloc(32, 0xff), Buffer.from(hsm.pin.padEnd(32, "0"))]) {
      const d = createDecipheriv("aes-256-gcm", candidate, iv);
      d.setAuthTag(wrapped.subarray(wrapped.length - 16));
      d.update(body);
      expect(() => d.final()).toThrow();
    }
  });

  it("cannot read the root key's CKA_VALUE from the token: it is sensitive and never extractable", () => {
    process.env.SOFTHSM2_CONF = hsm.conf;
    const lib = new pkcs11.PKCS11();
    lib.load(hsm.module);
    lib.C_Initialize({ flags: pkcs11.CKF_OS_LOCKING_OK });
    try {
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === hsm.tokenLabel)!;
      const session = lib.C_OpenSession(slot, pkcs11.CKF_SERIAL_SESSION);
      lib.C_Login(session, pkcs11.CKU_USER, hsm.pin);
      lib.C_FindObjectsInit(session, [{ type: pkcs11.CKA_LABEL, value: "kms-root" }]);
      const [key] = lib.C_FindObjects(session, 1);
      lib.C_FindObjectsFinal(session);
      let code: unknown;
      try {
        lib.C_GetAttributeValue(session, key!, [{ type: pkcs11.CKA_VALUE }]);
      } catch (err) {
        code = (err as { code?: unknown }).code;
      }
      expect(code).toBe(pkcs11.CKR_ATTRIBUTE_SENSITIVE);
      const attrs = lib.C_GetAttributeValue(session, key!, [
        { type: pkcs11.CKA_SENSITIVE },
        { type: pkcs11.CKA_EXTRACTABLE },
        { type: pkcs11.CKA_NEVER_EXTRACTABLE },
      ]);
      expect(attrs.map((a) => (a.value as Buffer)[0])).toEqual([1, 0, 1]);
    } finally {
      lib.C_Finalize();
    }
  });

  it("stops start-up on a wrong PIN with one clear line, and starts with the right one afterwards", async () => {
    const wrong = await startExpectingFailure(dataDir, { ...hsm.env("kms-root"), KMS_ROOT_KEY_PKCS11_PIN: "000000" });
    expect(wrong.code).toBe(1);
    const lines = wrong.stderr.split("\n").filter((l) => l.startsWith("kms: "));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("KMS_ROOT_KEY_PKCS11_PIN");
    const noKey = await startExpectingFailure(dataDir, hsm.env("no-such-key"));
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("KMS_ROOT_KEY_PKCS11_KEY");
    // A raw root key on this database is refused: the token's key protects it.
    const raw = await startExpectingFailure(dataDir, { KMS_ROOT_KEY: Buffer.alloc(32, 7).toString("base64") });
    expect(raw.code).toBe(1);
    const c = connect(await start(dataDir));
    expect((await c.crypto.AdvanceDecrypt({ ciphertextBlob: blob })).plaintext.toString()).toBe(
      "under a hardware root",
    );
  }, 300_000);

  it("answers unavailable while the token is gone, never crashes, and recovers when it is back", async () => {
    const server = await start(mkdtempSync(join(tmpdir(), "kms-p11-gone-")));
    const c = connect(server);
    const { key: cold } = await c.keys.CreateKey({ description: "never used: its material is not cached" });
    const away = `${hsm.tokenDir}.away`;
    renameSync(hsm.tokenDir, away);
    try {
      await expectGrpcError(
        c.crypto.AdvanceEncrypt({ keyId: cold.keyId, plaintext: Buffer.from("x") }),
        grpc.status.UNAVAILABLE,
        "DependencyTimeoutException",
      );
      await expectGrpcError(
        c.keys.CreateKey({ description: "needs a wrap" }),
        grpc.status.UNAVAILABLE,
        "DependencyTimeoutException",
      );
      expect(server.child.exitCode).toBeNull();
    } finally {
      renameSync(away, hsm.tokenDir);
    }
    await until(async () => {
      try {
        await c.crypto.AdvanceEncrypt({ keyId: cold.keyId, plaintext: Buffer.from("back") });
        return true;
      } catch {
        return false;
      }
    });
    const { key } = await c.keys.CreateKey({ description: "after recovery" });
    const sealed = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from("ok") });
    expect((await c.crypto.AdvanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob })).plaintext.toString()).toBe("ok");
    expect(server.child.exitCode).toBeNull();
  }, 180_000);
});
