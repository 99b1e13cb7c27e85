import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateKeyCommand, DecryptCommand, EncryptCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpcClients } from "../helpers/grpc-client.js";
import { awsCall, awsClient } from "../helpers/security.js";
import { ROOT, type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * Dev mode through the real server: `KMS_DEV=1` with no preset admin, so the banner's token is the
 * only way in; the AWS SDK with LocalStack-style dummy credentials; nothing on disk and nothing
 * kept across a restart; a seed file applied; and `kms serve --dev` refusing a non-loopback address.
 */

const DUMMY = { accessKeyId: "test", secretAccessKey: "test" };
const NO_PRESET = { KMS_ADMIN_TOKEN: "", KMS_ADMIN_ACCESS_KEY_ID: "", KMS_ADMIN_SECRET_ACCESS_KEY: "" };
const SEEDED = "bc436485-5092-42b8-92a3-0aa8b93536dc";

let server: ServerProcess;
let seedPath: string;

function bannerToken(s: ServerProcess): string | undefined {
  return s.stdoutLines.map((l) => /^ {4}admin token: +(\S+)$/.exec(l)?.[1]).find(Boolean);
}

beforeAll(async () => {
  seedPath = join(mkdtempSync(join(tmpdir(), "kms-dev-seed-")), "seed.yaml");
  writeFileSync(
    seedPath,
    `Keys:\n  Symmetric:\n    Aes:\n      - Metadata:\n          KeyId: ${SEEDED}\n        BackingKeys:\n          - ${"ab".repeat(32)}\n`,
  );
  server = await startServer({ env: { KMS_DEV: "1", KMS_SEED_FILE: seedPath, ...NO_PRESET } });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe("dev mode", () => {
  it("prints a banner with the admin's token, which works over gRPC; keeps nothing on disk", async () => {
    expect(server.stdoutLines.some((l) => l.includes("KMS DEV MODE"))).toBe(true);
    const token = bannerToken(server);
    expect(token).toMatch(/^kms_/);
    const c = grpcClients(server.url, token!);
    try {
      expect((await c.keys.DescribeKey({ keyId: SEEDED })).key.keyId).toBe(SEEDED);
    } finally {
      c.close();
    }
    expect(existsSync(join(server.dataDir, "kms.sqlite"))).toBe(false);
    expect(existsSync(join(server.dataDir, "admin-credentials.json"))).toBe(false);
    expect(existsSync(join(server.dataDir, "root-key.dev"))).toBe(false);
  });

  it("accepts the AWS SDK with dummy credentials as the admin", async () => {
    const aws = awsClient(server.url, DUMMY);
    try {
      const key = await aws.send(new CreateKeyCommand({ Description: "dev" }));
      const enc = await aws.send(new EncryptCommand({ KeyId: key.KeyMetadata!.KeyId, Plaintext: Buffer.from("hi") }));
      const dec = await aws.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
      expect(Buffer.from(dec.Plaintext!).toString()).toBe("hi");
      const seeded = await aws.send(new EncryptCommand({ KeyId: SEEDED, Plaintext: Buffer.from("s") }));
      expect(seeded.KeyId).toContain(SEEDED);
    } finally {
      aws.destroy();
    }
  });

  it("still refuses a malformed, an expired and a missing signature", async () => {
    const body = JSON.stringify({ KeyId: SEEDED });
    const garbled = await awsCall(server.url, {
      operation: "DescribeKey",
      body,
      credentials: DUMMY,
      tamper: (req) => {
        req.headers.authorization = "AWS4-HMAC-SHA256 garbage";
      },
    });
    expect(garbled.type).toBe("IncompleteSignatureException");
    const stale = await awsCall(server.url, {
      operation: "DescribeKey",
      body,
      credentials: DUMMY,
      signingDate: new Date(Date.now() - 3_600_000),
    });
    expect(stale.type).toBe("InvalidSignatureException");
    const unsigned = await awsCall(server.url, { operation: "DescribeKey", body, credentials: null });
    expect(unsigned.type).toBe("UnrecognizedClientException");
  });

  it("forgets everything on restart, and shows the banner again", async () => {
    await server.stop();
    server = await startServer({ env: { KMS_DEV: "1", ...NO_PRESET } });
    expect(bannerToken(server)).toMatch(/^kms_/);
    const aws = awsClient(server.url, DUMMY);
    try {
      expect((await aws.send(new ListKeysCommand({}))).Keys).toEqual([]);
    } finally {
      aws.destroy();
    }
  });

  it("kms serve --dev refuses a non-loopback address, naming the setting", async () => {
    const child = spawn(process.execPath, ["bin/kms.mjs", "serve", "--dev", "--listen", "0.0.0.0:0"], {
      cwd: ROOT,
      env: { ...process.env, KMS_DATA_DIR: mkdtempSync(join(tmpdir(), "kms-dev-")) },
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((res) => child.on("exit", res));
    expect(code).toBe(2);
    expect(stderr).toContain("KMS_DEV (--dev) refuses to listen on 0.0.0.0");
  });
});
