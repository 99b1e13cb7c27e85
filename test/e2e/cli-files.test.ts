import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderBar, progressStream, PROGRESS_THRESHOLD } from "../../src/cli/progress.js";
import { createKmsClient } from "../../src/client/index.js";
import { ROOT, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * `kms encrypt`, `kms decrypt` and `kms keys` as a person runs them: `node bin/kms.mjs …` as a
 * child process with `KMS_ENDPOINT`/`KMS_TOKEN`, against the real server. Checks exit codes,
 * the stable phrases of the one-line errors, and that stdout is exactly the data or JSON.
 */

const UNDECRYPTABLE = "the file could not be decrypted: wrong key, wrong context, or it was altered";

let server: ServerProcess;
let dir: string;
let keyId: string;
let env: Record<string, string>;

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `kms …args` with only `extraEnv`'s KMS_* variables (the test's own are dropped). */
function kms(args: string[], extraEnv: Record<string, string> = env, stdin?: Buffer): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KMS_")));
  const child = spawn(process.execPath, [resolve(ROOT, "bin/kms.mjs"), ...args], {
    cwd: dir,
    env: { ...base, ...extraEnv },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d;
  });
  child.stdin.end(stdin ?? Buffer.alloc(0));
  return new Promise((res, rej) => {
    child.once("error", rej);
    child.once("close", (code) => res({ code, stdout: Buffer.concat(out), stderr }));
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the CLI prints proto3 JSON of several shapes.
const json = (r: Run) => JSON.parse(r.stdout.toString()) as Record<string, any>;

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), "kms-cli-"));
  env = { KMS_ENDPOINT: server.url, KMS_TOKEN: TEST_ADMIN.token };
  const client = createKmsClient({ baseUrl: server.url, token: TEST_ADMIN.token });
  keyId = (await client.keys.createKey({ description: "cli files" })).key!.keyId;
});

afterAll(async () => {
  await server?.stop();
});

describe.concurrent("kms encrypt / kms decrypt", () => {
  it("a 3 MiB file round trip is byte-identical, and nothing is printed", async () => {
    const data = randomBytes(3 * 1024 * 1024 + 7);
    writeFileSync(join(dir, "plain.bin"), data);
    const enc = await kms(["encrypt", "--key-id", keyId, "--context", "app=cli", "-i", "plain.bin", "-o", "plain.kms"]);
    expect(enc.stderr).toBe("");
    expect(enc.code).toBe(0);
    expect(enc.stdout.length).toBe(0);
    const envelope = readFileSync(join(dir, "plain.kms"));
    expect(envelope.subarray(0, 5).toString("latin1")).toBe("KMSE\x01");
    expect(envelope.length).toBeGreaterThan(data.length);
    const dec = await kms(["decrypt", "--context", "app=cli", "-i", "plain.kms", "-o", "plain.out"]);
    expect(dec.stderr).toBe("");
    expect(dec.code).toBe(0);
    expect(readFileSync(join(dir, "plain.out")).equals(data)).toBe(true);
  });

  it("stdin → stdout both ways, with --endpoint and --token as flags", async () => {
    const data = randomBytes(200_000);
    const flags = ["--endpoint", server.url, "--token", TEST_ADMIN.token];
    const enc = await kms(["encrypt", "--key-id", keyId, ...flags], {}, data);
    expect(enc.code).toBe(0);
    expect(enc.stdout.subarray(0, 4).toString()).toBe("KMSE");
    const dec = await kms(["decrypt", "-i", "-", "-o", "-", ...flags], {}, enc.stdout);
    expect(dec.code).toBe(0);
    expect(dec.stdout.equals(data)).toBe(true);
  });

  it("stdin → stdout, twelve round trips four at a time: every byte arrives before exit 0 (process.exit dropped queued output)", async () => {
    // Regression: the command exited while its last stdout writes were still queued, so the tail
    // of an envelope or a plaintext was lost with exit 0 — about one run in three on Node.js 24
    // under this load, where a single sequential run rarely showed it.
    const flags = ["--endpoint", server.url, "--token", TEST_ADMIN.token];
    const lost: string[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let round = 0; round < 3; round++) {
          const data = randomBytes(200_000);
          const enc = await kms(["encrypt", "--key-id", keyId, ...flags], {}, data);
          const dec = await kms(["decrypt", ...flags], {}, enc.stdout);
          if (enc.code !== 0 || dec.code !== 0 || !dec.stdout.equals(data)) {
            lost.push(
              `encrypt ${enc.code} (${enc.stdout.length} bytes), decrypt ${dec.code} (${dec.stdout.length} bytes)`,
            );
          }
        }
      }),
    );
    expect(lost).toEqual([]);
  });

  it("a tampered file: exit 1, the clear message, and no output file", async () => {
    writeFileSync(join(dir, "t.bin"), randomBytes(100_000));
    expect((await kms(["encrypt", "--key-id", keyId, "-i", "t.bin", "-o", "t.kms"])).code).toBe(0);
    const envelope = readFileSync(join(dir, "t.kms"));
    envelope[envelope.length - 30]! ^= 0x40;
    writeFileSync(join(dir, "t-bad.kms"), envelope);
    const dec = await kms(["decrypt", "-i", "t-bad.kms", "-o", "t.out"]);
    expect(dec.code).toBe(1);
    expect(dec.stderr).toBe(`kms: ${UNDECRYPTABLE}\n`);
    expect(existsSync(join(dir, "t.out"))).toBe(false);
  });

  it("a wrong context: exit 1 with the same message", async () => {
    const enc = await kms(["encrypt", "--key-id", keyId, "--context", "tenant=a"], env, Buffer.from("secret"));
    expect(enc.code).toBe(0);
    const dec = await kms(["decrypt", "--context", "tenant=b"], env, enc.stdout);
    expect(dec.code).toBe(1);
    expect(dec.stderr).toContain(UNDECRYPTABLE);
    expect(dec.stdout.length).toBe(0);
  });

  it("a file that is not an envelope: exit 1 with the same message", async () => {
    const dec = await kms(["decrypt"], env, Buffer.from("just some text, not an envelope"));
    expect(dec.code).toBe(1);
    expect(dec.stderr).toContain(UNDECRYPTABLE);
  });

  it("no token: exit 2 with 'no token: set KMS_TOKEN or --token'", async () => {
    const r = await kms(["encrypt", "--key-id", keyId], { KMS_ENDPOINT: server.url }, Buffer.from("x"));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("kms: no token: set KMS_TOKEN or --token\n");
  });

  it("an unreachable endpoint: exit 1, naming the endpoint", async () => {
    const r = await kms(["keys", "list"], { KMS_ENDPOINT: "http://127.0.0.1:1", KMS_TOKEN: TEST_ADMIN.token });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kms: cannot reach the KMS at http:\/\/127\.0\.0\.1:1 /);
  });

  it("an unknown key: exit 1 with NotFoundException, and no output file", async () => {
    writeFileSync(join(dir, "u.bin"), "x");
    const r = await kms(["encrypt", "--key-id", "alias/nope", "-i", "u.bin", "-o", "u.kms"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kms: NotFoundException: /);
    expect(existsSync(join(dir, "u.kms"))).toBe(false);
  });

  it("a missing input file: exit 1 naming it", async () => {
    const r = await kms(["encrypt", "--key-id", keyId, "-i", "missing.bin", "-o", "m.kms"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("kms: missing.bin: no such file\n");
  });

  it("usage mistakes exit 2", async () => {
    const [noKey, unknown] = await Promise.all([kms(["encrypt"]), kms(["decrypt", "--bogus", "1"])]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("--key-id is required");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option --bogus");
  });

  it("client commands never load the server configuration (a broken KMS_ROOT_KEY does not matter)", async () => {
    const r = await kms(["keys", "describe", keyId], { ...env, KMS_ROOT_KEY: "not base64!", KMS_LISTEN: "nonsense" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(json(r).key.keyId).toBe(keyId);
  });
});

describe("kms keys", () => {
  it("create, list, describe, rotate, disable, enable print proto3 JSON with the expected states", async () => {
    const created = await kms(["keys", "create", "--description", "from the cli"]);
    expect(created.code).toBe(0);
    const key = json(created).key;
    expect(key).toMatchObject({
      description: "from the cli",
      keySpec: "KEY_SPEC_AES_256",
      keyUsage: "KEY_USAGE_ENCRYPT_DECRYPT",
      keyState: "KEY_STATE_ENABLED",
    });
    expect(key.keyId).toMatch(/^[0-9a-f-]{36}$/);

    const [listed, described, signing] = await Promise.all([
      kms(["keys", "list"]),
      kms(["keys", "describe", key.keyId]),
      kms(["keys", "create", "--spec", "EC_P256", "--usage", "SIGN_VERIFY"]),
    ]);
    expect(json(listed).keys.map((k: { keyId: string }) => k.keyId)).toContain(key.keyId);
    expect(json(described).key).toEqual(key);
    expect(json(signing).key).toMatchObject({ keySpec: "KEY_SPEC_EC_P256", keyUsage: "KEY_USAGE_SIGN_VERIFY" });

    const rotated = json(await kms(["keys", "rotate", key.keyId]));
    expect(rotated.keyVersionId).not.toBe(key.primaryKeyVersionId);
    expect(rotated.key.primaryKeyVersionId).toBe(rotated.keyVersionId);

    const disabled = await kms(["keys", "disable", key.keyId]);
    expect(json(disabled).key.keyState).toBe("KEY_STATE_DISABLED");
    const refused = await kms(["encrypt", "--key-id", key.keyId], env, Buffer.from("x"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^kms: DisabledException: /);
    const enabled = await kms(["keys", "enable", key.keyId]);
    expect(json(enabled).key.keyState).toBe("KEY_STATE_ENABLED");
  });

  it("bad input: an unknown spec exits 2; an unknown key exits 1 with NotFoundException", async () => {
    const [spec, missing] = await Promise.all([
      kms(["keys", "create", "--spec", "AES_512"]),
      kms(["keys", "describe", "alias/missing"]),
    ]);
    expect(spec.code).toBe(2);
    expect(spec.stderr).toContain("--spec must be one of AES_256, RSA_2048");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^kms: NotFoundException: /);
  });
});

describe("kms keys deletion, aliases, policy, grants, audit tail", () => {
  it("schedule-deletion then cancel-deletion move the key through the states", async () => {
    const key = json(await kms(["keys", "create"])).key.keyId as string;
    const [tooSoon, scheduled] = await Promise.all([
      kms(["keys", "schedule-deletion", key, "--days", "3"]),
      kms(["keys", "schedule-deletion", key, "--days", "7"]),
    ]);
    expect(tooSoon.code).toBe(2);
    expect(scheduled.code).toBe(0);
    expect(json(scheduled).key.keyState).toBe("KEY_STATE_PENDING_DELETION");
    expect(json(scheduled).key.deletionTime).toBeTruthy();
    const cancelled = await kms(["keys", "cancel-deletion", key]);
    expect(json(cancelled).key.keyState).toBe("KEY_STATE_DISABLED");
  });

  it("aliases: create, list (JSON when piped, --output table), update, delete", async () => {
    const [a, b] = await Promise.all([kms(["keys", "create"]), kms(["keys", "create"])]);
    const [keyA, keyB] = [json(a).key.keyId as string, json(b).key.keyId as string];
    const created = await kms(["aliases", "create", "alias/cli-files", keyA]);
    expect(created.code).toBe(0);
    expect(json(created).alias).toMatchObject({ aliasName: "alias/cli-files", targetKeyId: keyA });
    const [listed, table] = await Promise.all([
      kms(["aliases", "list", keyA]),
      kms(["aliases", "list", keyA, "--output", "table"]),
    ]);
    expect(json(listed).aliases.map((x: { aliasName: string }) => x.aliasName)).toEqual(["alias/cli-files"]);
    expect(table.stdout.toString()).toMatch(new RegExp(`^ALIAS +TARGET KEY +UPDATED\nalias/cli-files +${keyA} `));
    expect(json(await kms(["aliases", "update", "alias/cli-files", keyB])).alias.targetKeyId).toBe(keyB);
    expect((await kms(["keys", "describe", "alias/cli-files"])).stdout.toString()).toContain(keyB);
    const deleted = await kms(["aliases", "delete", "alias/cli-files"]);
    expect(deleted.code).toBe(0);
    expect((await kms(["keys", "describe", "alias/cli-files"])).code).toBe(1);
  });

  it("policy get prints the document; put reads it back from a file; a non-JSON file is refused", async () => {
    const key = json(await kms(["keys", "create"])).key.keyId as string;
    const got = await kms(["policy", "get", key]);
    expect(got.code).toBe(0);
    const policy = JSON.parse(got.stdout.toString());
    policy.Statement.push({ Sid: "cli", Effect: "Allow", Principal: { KMS: "nobody" }, Action: "kms:Encrypt" });
    writeFileSync(join(dir, "policy.json"), JSON.stringify(policy));
    writeFileSync(join(dir, "not-json.txt"), "Statement: no");
    const [put, bad] = await Promise.all([
      kms(["policy", "put", key, "--file", "policy.json"]),
      kms(["policy", "put", key, "--file", "not-json.txt"]),
    ]);
    expect(put.code).toBe(0);
    expect(bad.code).toBe(2);
    expect(JSON.parse((await kms(["policy", "get", key])).stdout.toString())).toEqual(policy);
  });

  it("grants: create with a context constraint, list, revoke", async () => {
    const key = json(await kms(["keys", "create"])).key.keyId as string;
    const created = await kms([
      "grants",
      "create",
      key,
      "--grantee",
      "grantee-from-cli",
      "--operations",
      "Encrypt,Decrypt",
      "--context-subset",
      "app=cli",
    ]);
    expect(created.code).toBe(0);
    const { grantId, grantToken } = json(created);
    expect(grantToken).toBeTruthy();
    const listed = json(await kms(["grants", "list", key]));
    expect(listed.grants).toHaveLength(1);
    expect(listed.grants[0]).toMatchObject({
      grantId,
      granteePrincipal: "grantee-from-cli",
      operations: ["Encrypt", "Decrypt"],
      constraints: { encryptionContextSubset: { app: "cli" } },
    });
    expect((await kms(["grants", "revoke", key, grantId])).code).toBe(0);
    expect(json(await kms(["grants", "list", key])).grants).toEqual([]);
    expect((await kms(["grants", "create", key, "--grantee", "x"])).code).toBe(2);
  });

  it("audit tail -n 2 prints the two newest records, oldest first", async () => {
    const key = json(await kms(["keys", "create", "--description", "tail"])).key.keyId as string;
    await kms(["keys", "describe", key]);
    const tail = await kms(["audit", "tail", "-n", "2", "--key", key]);
    expect(tail.code).toBe(0);
    const records = json(tail).records as { seq: string; operation: string; keyId: string }[];
    expect(records.map((r) => r.operation)).toEqual(["kms.v1.KeyService/CreateKey", "kms.v1.KeyService/DescribeKey"]);
    expect(Number(records[0]!.seq)).toBeLessThan(Number(records[1]!.seq));
  });
});

describe("kms import", () => {
  it("wraps and imports AES material and a PEM private key; the key works; other material is refused", async () => {
    const created = await kms(["keys", "create", "--origin", "EXTERNAL"]);
    expect(created.code).toBe(0);
    const aesKey = json(created).key.keyId as string;
    expect(json(created).key.keyState).toBe("KEY_STATE_PENDING_IMPORT");
    const material = randomBytes(32);
    writeFileSync(join(dir, "aes.bin"), material);
    const run = await kms(["import", "--key", aesKey, "--material", "aes.bin", "--wrapping-key-spec", "RSA_2048"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(json(run).key.keyState).toBe("KEY_STATE_ENABLED");
    expect(json(run).key.expirationModel).toBe("EXPIRATION_MODEL_KEY_MATERIAL_DOES_NOT_EXPIRE");
    expect(json(run).keyMaterialId).toBe(json(run).key.currentKeyMaterialId);
    const roundTrip = await kms(["encrypt", "--key-id", aesKey], env, Buffer.from("byok"));
    expect(roundTrip.code).toBe(0);
    expect((await kms(["decrypt"], env, roundTrip.stdout)).stdout.toString()).toBe("byok");

    writeFileSync(join(dir, "other.bin"), randomBytes(32));
    const wrong = await kms(["import", "--key", aesKey, "--material", "other.bin", "--algorithm", "rsaes_oaep_sha_1"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("IncorrectKeyMaterial");

    const ec = json(
      await kms(["keys", "create", "--origin", "EXTERNAL", "--spec", "EC_P256", "--usage", "SIGN_VERIFY"]),
    );
    const pem = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
      format: "pem",
      type: "pkcs8",
    });
    writeFileSync(join(dir, "ec.pem"), pem);
    const validTo = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const ecRun = await kms(["import", "--key", ec.key.keyId, "--material", "ec.pem", "--valid-to", validTo]);
    expect(ecRun.code).toBe(0);
    expect(json(ecRun).key.keyState).toBe("KEY_STATE_ENABLED");
    expect(json(ecRun).key.expirationModel).toBe("EXPIRATION_MODEL_KEY_MATERIAL_EXPIRES");
  });

  it("refuses usage mistakes with exit 2", async () => {
    expect((await kms(["import", "--key", "k"])).code).toBe(2);
    expect((await kms(["import", "--key", "k", "--material", "x", "--algorithm", "RSA_1"])).code).toBe(2);
  });
});

describe("the progress bar", () => {
  async function through(total: number | undefined, isTTY: boolean): Promise<string> {
    let drawn = "";
    let t = 0;
    const stream = progressStream({
      total,
      label: "encrypting",
      target: {
        isTTY,
        columns: 80,
        write: (s: string) => {
          drawn += s;
        },
      },
      now: () => {
        t += 1000;
        return t;
      },
    });
    stream.resume();
    for (let i = 0; i < 4; i++) stream.write(Buffer.alloc((total ?? PROGRESS_THRESHOLD) / 4));
    stream.end();
    await new Promise((r) => stream.once("end", r));
    return drawn;
  }

  it("draws on a terminal for a large file and erases itself at the end", async () => {
    const drawn = await through(8 * 1024 * 1024, true);
    expect(drawn).toContain("encrypting [");
    expect(drawn).toContain(" 100%  8.0/8.0 MiB");
    expect(drawn.endsWith("\r")).toBe(true);
  });

  it("stays quiet when not a terminal, for small files and for stdin", async () => {
    expect(await through(8 * 1024 * 1024, false)).toBe("");
    expect(await through(1024 * 1024, true)).toBe("");
    expect(await through(undefined, true)).toBe("");
  });

  it("renders a bar that fits the terminal", () => {
    const line = renderBar("decrypting", 3 * 1024 * 1024, 12 * 1024 * 1024, 60);
    expect(line).toBe(`decrypting [${"#".repeat(7)}${".".repeat(20)}]  25%  3.0/12.0 MiB`);
    expect(line.length).toBeLessThan(60);
  });
});
