import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { dropSchemas } from "./pg-schema.js";
import { ROOT, type ServerProcess, startServer, TEST_ADMIN } from "./server-process.js";

const run = promisify(execFile);

/** The members of kms.v1 responses the Alibaba-protocol tests read. */
export interface ConnectReply {
  key: { keyId: string; initialKeyVersionId: string };
  keyVersionId: string;
}

export interface ClientKeyFile {
  keyId: string;
  file: string;
  password: string;
}

type KeyName = "aes" | "rotated" | "rsaSign" | "ecSign" | "rsaEnc" | "disabled" | "pending";

/**
 * A server for the Alibaba-protocol tests, set up as a user would: TLS from `kms tls dev-cert`,
 * PostgreSQL in a fresh schema (so tests can lock or alter its tables), one key-pair permit,
 * ClientKeys from `kms client-key create` for the admin and for `bob` (a principal with no rights
 * on the admin's keys), and keys made over kms.v1: AES (with an alias), AES rotated once, RSA and
 * EC signing keys, an RSA encryption key, a disabled key and one pending deletion.
 */
export interface DkmsFixture {
  server: ServerProcess;
  tls: { ca: string; cert: string; key: string };
  ca: Buffer;
  schema: string;
  alias: string;
  admin: ClientKeyFile;
  bob: ClientKeyFile;
  keys: Record<KeyName, string>;
  rotated: { initial: string; primary: string };
  /** Runs the `kms` command with the server's configuration (its database and root key). */
  kms(...args: string[]): Promise<string>;
  newClientKey(principal: string): Promise<ClientKeyFile>;
  /** kms.v1 over Connect JSON (HTTPS, the dev CA), as the admin. */
  connect(method: string, body: object): Promise<ConnectReply>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startDkmsFixture(pgUrl: string): Promise<DkmsFixture> {
  const schema = `kms_dkms_${randomBytes(6).toString("hex")}`;
  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  await sql(`create schema "${schema}"`);
  const dir = mkdtempSync(join(tmpdir(), "dkms-tls-"));
  const tls = JSON.parse((await run("node", ["bin/kms.mjs", "tls", "dev-cert", "--out", dir], { cwd: ROOT })).stdout);
  const ca = readFileSync(tls.ca);
  const env = {
    KMS_DATABASE_URL: `${pgUrl}${pgUrl.includes("?") ? "&" : "?"}options=-c%20search_path%3D${schema}`,
    KMS_ROOT_KEY: randomBytes(32).toString("base64"),
    KMS_TLS_CERT: tls.cert,
    KMS_TLS_KEY: tls.key,
    KMS_KEYPAIR_CONCURRENCY: "1",
    KMS_WORKERS: "1",
  };
  const server = await startServer({ env });
  const kms = async (...args: string[]) =>
    (await run("node", ["bin/kms.mjs", ...args], { cwd: ROOT, env: { ...process.env, ...env } })).stdout;
  const newClientKey = async (principal: string): Promise<ClientKeyFile> =>
    JSON.parse(await kms("client-key", "create", principal, "--out", mkdtempSync(join(tmpdir(), "dkms-ck-"))));
  const connect = (method: string, body: object) => connectJson(server.port, ca, method, body);
  const createKey = async (keySpec: string, keyUsage?: string) =>
    (await connect("KeyService/CreateKey", { keySpec, ...(keyUsage ? { keyUsage } : {}) })).key.keyId;

  await kms("principal", "create", "bob");
  const [admin, bob] = await Promise.all([newClientKey("admin"), newClientKey("bob")]);
  const alias = `alias/dkms-${randomBytes(4).toString("hex")}`;
  const keys = {} as Record<KeyName, string>;
  keys.aes = await createKey("KEY_SPEC_AES_256");
  await connect("KeyService/CreateAlias", { aliasName: alias, keyId: keys.aes });
  keys.rotated = await createKey("KEY_SPEC_AES_256");
  const rotation = await connect("KeyService/RotateKey", { keyId: keys.rotated });
  keys.rsaSign = await createKey("KEY_SPEC_RSA_2048", "KEY_USAGE_SIGN_VERIFY");
  keys.ecSign = await createKey("KEY_SPEC_EC_P256", "KEY_USAGE_SIGN_VERIFY");
  keys.rsaEnc = await createKey("KEY_SPEC_RSA_2048", "KEY_USAGE_ENCRYPT_DECRYPT");
  keys.disabled = await createKey("KEY_SPEC_AES_256");
  await connect("KeyService/DisableKey", { keyId: keys.disabled });
  keys.pending = await createKey("KEY_SPEC_AES_256");
  await connect("KeyService/ScheduleKeyDeletion", { keyId: keys.pending, pendingWindowDays: 7 });
  return {
    server,
    tls,
    ca,
    schema,
    alias,
    admin,
    bob,
    keys,
    rotated: { initial: rotation.key.initialKeyVersionId, primary: rotation.keyVersionId },
    kms,
    newClientKey,
    connect,
    sql,
    async stop() {
      await server.stop();
      await dropSchemas(pgUrl, [schema]);
    },
  };
}

function connectJson(port: number, ca: Buffer, method: string, body: object): Promise<ConnectReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `https://127.0.0.1:${port}/kms.v1.${method}`,
      {
        method: "POST",
        ca,
        headers: { "content-type": "application/json", authorization: `Bearer ${TEST_ADMIN.token}` },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () =>
          res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${method}: ${text}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}
