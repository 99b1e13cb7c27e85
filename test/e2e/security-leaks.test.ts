import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import * as grpc from "@grpc/grpc-js";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectGrpcError, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import {
  awsCall,
  awsClient,
  connectJson,
  createPrincipal,
  outputDrained,
  type PrincipalCredentials,
  rpc,
  sqliteArgs,
  withRequestId,
} from "../helpers/security.js";
import { ADMIN_AUTH, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * No secret leaks (docs/security.md): a server at debug log level runs a scenario full of distinctive
 * secrets — plaintexts, data keys, data-key-pair private keys, bearer tokens, AWS secret keys,
 * grant tokens, encryption-context values — including failing calls. Afterwards every line the
 * process printed, every error body the clients received, and every column of every row of the
 * database are scanned for each secret in raw, base64, base64url, hex and JSON-byte-array form.
 * A marker put deliberately into a key description must be found, so the scan itself can fail.
 */

interface Secret {
  label: string;
  bytes: Buffer;
}

const secrets: Secret[] = [];
function secret(label: string, value: string | Buffer | Uint8Array): void {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  if (bytes.length < 8) throw new Error(`secret ${label} is too short to scan for`);
  secrets.push({ label, bytes });
}

/** The text forms a secret could take in a log line, an error body or a text column. */
function textForms(bytes: Buffer): string[] {
  const forms = [
    bytes.toString("base64"),
    bytes.toString("base64url"),
    bytes.toString("hex"),
    bytes.toString("hex").toUpperCase(),
  ];
  // pino prints a Buffer as {"type":"Buffer","data":[1,2,3,…]}.
  forms.push(JSON.stringify([...bytes.subarray(0, 16)]).slice(1, -1));
  const utf8 = bytes.toString("utf8");
  if (Buffer.from(utf8, "utf8").equals(bytes)) forms.push(utf8, JSON.stringify(utf8).slice(1, -1));
  // A long secret (a private key) might leak in part: look for aligned 24-byte pieces too.
  if (bytes.length >= 96) {
    for (let at = 0; at + 24 <= bytes.length; at += 24) {
      const piece = bytes.subarray(at, at + 24);
      forms.push(piece.toString("base64"), piece.toString("hex"));
    }
  }
  return forms;
}

/** Where each secret was found among `haystacks` (label → haystack names). */
function scan(haystacks: { name: string; text: string; raw?: Buffer }[], list: Secret[]): string[] {
  const found: string[] = [];
  for (const s of list) {
    const forms = textForms(s.bytes);
    for (const h of haystacks) {
      if (forms.some((f) => h.text.includes(f)) || h.raw?.includes(s.bytes) === true) {
        found.push(`${s.label} in ${h.name}`);
      }
    }
  }
  return found;
}

const hex = (n: number) => randomBytes(n).toString("hex");
const RUN = hex(4);
const DESCRIPTION_MARKER = `description-marker-${hex(8)}`;

let server: ServerProcess;
let A: PrincipalCredentials;
let B: PrincipalCredentials;
const errorBodies: { name: string; text: string }[] = [];

function grpcErrorText(err: grpc.ServiceError): string {
  const bin = err.metadata.get("grpc-status-details-bin")[0];
  return `${err.message}\n${err.details}\n${Buffer.from(bin ?? "").toString("latin1")}\n${JSON.stringify(err.metadata.toJSON())}`;
}

async function collectGrpc(name: string, p: Promise<unknown>, code: grpc.status, reason: string): Promise<void> {
  const err = await expectGrpcError(p, code, reason);
  errorBodies.push({ name, text: grpcErrorText(err) });
}

async function collectAws(name: string, p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as Error & { $response?: unknown };
    errorBodies.push({ name, text: `${e.name}\n${e.message}\n${JSON.stringify(e)}` });
    return e.name;
  }
  throw new Error(`${name}: expected a failure`);
}

beforeAll(async () => {
  server = await startServer({ env: { KMS_LOG_LEVEL: "debug" } });
  A = await createPrincipal(sqliteArgs(server.dataDir), "A");
  B = await createPrincipal(sqliteArgs(server.dataDir), "B");
  secret("admin token", TEST_ADMIN.token);
  secret("admin AWS secret", TEST_ADMIN.secretAccessKey);
  secret("A token", A.token);
  secret("A AWS secret", A.secretAccessKey);
  secret("B token", B.token);
  secret("B AWS secret", B.secretAccessKey);

  const admin = grpcClients(server.url);
  const a = grpcClients(server.url, A.token);
  const b = grpcClients(server.url, B.token);
  const kmsA = awsClient(server.url, A);
  const kmsB = awsClient(server.url, B);
  try {
    await runScenario(admin, a, b, kmsA, kmsB);
  } finally {
    for (const c of [admin, a, b]) c.close();
    kmsA.destroy();
    kmsB.destroy();
  }
  await server.stop();
  await outputDrained(server.child);
}, 120_000);

async function runScenario(admin: GrpcClients, a: GrpcClients, b: GrpcClients, kmsA: KMSClient, kmsB: KMSClient) {
  const ctxValue = `ctx-value-${hex(8)}`;
  secret("context value", ctxValue);
  const ctx = { tenant: ctxValue };

  const key = (await a.keys.CreateKey({ description: DESCRIPTION_MARKER }, withRequestId(`leak-${RUN}-create`))).key;

  // Plaintexts over gRPC, Connect JSON and AWS.
  const pt1 = `plaintext-grpc-${hex(12)}`;
  secret("gRPC plaintext", pt1);
  const enc = await a.crypto.Encrypt({ keyId: key.keyId, plaintext: Buffer.from(pt1), encryptionContext: ctx });
  const dec = await a.crypto.Decrypt({
    keyId: key.keyId,
    ciphertextBlob: enc.ciphertextBlob,
    iv: enc.iv,
    algorithm: enc.algorithm,
    encryptionContext: ctx,
  });
  expect(dec.plaintext.toString()).toBe(pt1);
  const pt2 = `plaintext-advance-${hex(12)}`;
  secret("AdvanceEncrypt plaintext", pt2);
  const adv = await a.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from(pt2), encryptionContext: ctx });
  await a.crypto.AdvanceDecrypt({ ciphertextBlob: adv.ciphertextBlob, encryptionContext: ctx });

  const pt3 = `plaintext-connect-${hex(12)}`;
  secret("Connect plaintext", pt3);
  const viaConnect = await connectJson(
    server.url,
    "kms.v1.CryptoService/AdvanceEncrypt",
    { keyId: key.keyId, plaintext: Buffer.from(pt3).toString("base64"), encryptionContext: ctx },
    { authorization: `Bearer ${A.token}` },
  );
  expect(viaConnect.status).toBe(200);

  const pt4 = `plaintext-aws-${hex(12)}`;
  secret("AWS plaintext", pt4);
  const awsEnc = await kmsA.send(
    new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from(pt4), EncryptionContext: ctx }),
  );
  const awsDec = await kmsA.send(new DecryptCommand({ CiphertextBlob: awsEnc.CiphertextBlob, EncryptionContext: ctx }));
  expect(Buffer.from(awsDec.Plaintext!).toString()).toBe(pt4);

  // Data keys and data key pairs.
  const dk = await a.dataKeys.GenerateDataKey({
    keyId: key.keyId,
    keySpec: "DATA_KEY_SPEC_AES_256",
    encryptionContext: ctx,
  });
  secret("gRPC data key", dk.plaintext);
  const awsDk = await kmsA.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: "AES_256" }));
  secret("AWS data key", awsDk.Plaintext!);
  for (const spec of ["KEY_PAIR_SPEC_EC_P256", "KEY_PAIR_SPEC_RSA_2048"]) {
    const pair = await a.dataKeys.GenerateDataKeyPair({
      keyId: key.keyId,
      keyPairSpec: spec,
      keyFormat: "KEY_FORMAT_DER",
    });
    secret(`${spec} private key (DER)`, pair.privateKeyPlaintext);
    const pem = await a.dataKeys.AdvanceGenerateDataKeyPair({
      keyId: key.keyId,
      keyPairSpec: spec,
      keyFormat: "KEY_FORMAT_PEM",
    });
    const body = pem.privateKeyPlaintext
      .toString("utf8")
      .replace(/-----[^-]+-----/g, "")
      .replace(/\s+/g, "");
    secret(`${spec} private key (PEM)`, Buffer.from(body, "base64"));
  }
  const awsPair = await kmsA.send(new GenerateDataKeyPairCommand({ KeyId: key.keyId, KeyPairSpec: "ECC_NIST_P256" }));
  secret("AWS pair private key", awsPair.PrivateKeyPlaintext!);

  // Grants and grant tokens. A grant constraint is stored with its grant by design (as in AWS),
  // so its context is not one of the secrets; the request's extra pair is.
  const grantCtx = { tenant: "grant-tenant" };
  const grant = await rpc<{ grantId: string; grantToken: string }>(a, "keys", "CreateGrant", {
    keyId: key.keyId,
    granteePrincipal: "B",
    operations: ["Encrypt"],
    constraints: { encryptionContextEquals: grantCtx },
  });
  secret("grant token", grant.grantToken);
  const kept = await rpc<{ grantId: string; grantToken: string }>(a, "keys", "CreateGrant", {
    keyId: key.keyId,
    granteePrincipal: "B",
    operations: ["Encrypt", "GenerateDataKey"],
    constraints: { encryptionContextSubset: grantCtx },
    name: "kept-grant",
  });
  secret("second grant token", kept.grantToken);
  const pt5 = `plaintext-granted-${hex(12)}`;
  secret("granted plaintext", pt5);
  await b.crypto.Encrypt({
    keyId: key.keyId,
    plaintext: Buffer.from(pt5),
    encryptionContext: grantCtx,
    grantTokens: [grant.grantToken],
  });
  const grantedDk = await b.dataKeys.GenerateDataKey({
    keyId: key.keyId,
    keySpec: "DATA_KEY_SPEC_AES_256",
    encryptionContext: { ...grantCtx, extra: ctxValue },
    grantTokens: [kept.grantToken],
  });
  secret("granted data key", grantedDk.plaintext);

  // Failing calls, with secrets in the request; their error bodies are kept for the scan.
  const pt6 = `plaintext-denied-${hex(12)}`;
  secret("denied plaintext", pt6);
  const deniedCtx = `ctx-denied-${hex(8)}`;
  secret("denied context value", deniedCtx);
  await collectGrpc(
    "B denied Encrypt",
    b.crypto.Encrypt({ keyId: key.keyId, plaintext: Buffer.from(pt6), encryptionContext: { tenant: deniedCtx } }),
    grpc.status.PERMISSION_DENIED,
    "AccessDeniedException",
  );
  await collectGrpc(
    "B denied Decrypt",
    b.crypto.Decrypt({
      keyId: key.keyId,
      ciphertextBlob: enc.ciphertextBlob,
      iv: enc.iv,
      algorithm: enc.algorithm,
      encryptionContext: ctx,
    }),
    grpc.status.PERMISSION_DENIED,
    "AccessDeniedException",
  );
  await collectGrpc(
    "Decrypt of garbage",
    a.crypto.Decrypt({
      keyId: key.keyId,
      ciphertextBlob: randomBytes(64),
      iv: randomBytes(12),
      algorithm: enc.algorithm,
      encryptionContext: ctx,
    }),
    grpc.status.INVALID_ARGUMENT,
    "InvalidCiphertextException",
  );
  await collectGrpc(
    "Decrypt with the wrong context",
    a.crypto.Decrypt({
      keyId: key.keyId,
      ciphertextBlob: enc.ciphertextBlob,
      iv: enc.iv,
      algorithm: enc.algorithm,
      encryptionContext: { tenant: deniedCtx },
    }),
    grpc.status.INVALID_ARGUMENT,
    "InvalidCiphertextException",
  );
  const unknownGrantToken = `kmsgt_${randomBytes(32).toString("base64url")}`;
  secret("unknown grant token", unknownGrantToken);
  await collectGrpc(
    "unknown grant token",
    a.crypto.Encrypt({ keyId: key.keyId, plaintext: Buffer.from(pt6), grantTokens: [unknownGrantToken] }),
    grpc.status.INVALID_ARGUMENT,
    "InvalidGrantTokenException",
  );
  const badToken = `kms_bad-token-${hex(12)}`;
  secret("bad bearer token", badToken);
  const stranger = grpcClients(server.url, badToken);
  try {
    await collectGrpc(
      "bad bearer token",
      stranger.crypto.Encrypt({ keyId: key.keyId, plaintext: Buffer.from(pt6) }),
      grpc.status.UNAUTHENTICATED,
      "UnrecognizedClientException",
    );
  } finally {
    stranger.close();
  }
  const connectBad = await connectJson(
    server.url,
    "kms.v1.CryptoService/Encrypt",
    { keyId: key.keyId, plaintext: Buffer.from(pt6).toString("base64") },
    { authorization: `Bearer ${badToken}` },
  );
  expect(connectBad.status).toBe(401);
  errorBodies.push({ name: "Connect bad token", text: connectBad.text });
  const connectInvalid = await connectJson(
    server.url,
    "kms.v1.CryptoService/Encrypt",
    {
      keyId: "alias/does-not-exist",
      plaintext: Buffer.from(pt6).toString("base64"),
      encryptionContext: { tenant: deniedCtx },
    },
    ADMIN_AUTH,
  );
  expect(connectInvalid.status).toBe(404);
  errorBodies.push({ name: "Connect unknown key", text: connectInvalid.text });

  const metricsBad = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${badToken}` } });
  errorBodies.push({ name: "metrics bad token", text: await metricsBad.text() });

  expect(
    await collectAws(
      "AWS B denied",
      kmsB.send(
        new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from(pt6), EncryptionContext: { tenant: deniedCtx } }),
      ),
    ),
  ).toBe("AccessDeniedException");
  const wrongSecret = `wrong-secret-${hex(12)}`;
  secret("wrong AWS secret", wrongSecret);
  const raw = await awsCall(server.url, {
    operation: "Encrypt",
    body: JSON.stringify({ KeyId: key.keyId, Plaintext: Buffer.from(pt6).toString("base64") }),
    credentials: { accessKeyId: A.accessKeyId, secretAccessKey: wrongSecret },
  });
  expect(raw.type).toBe("InvalidSignatureException");
  errorBodies.push({ name: "AWS wrong secret", text: raw.text });
  const awsGarbage = await awsCall(server.url, {
    operation: "Decrypt",
    body: JSON.stringify({
      KeyId: key.keyId,
      CiphertextBlob: randomBytes(80).toString("base64"),
      EncryptionContext: ctx,
    }),
    credentials: A,
  });
  expect(awsGarbage.type).toBe("InvalidCiphertextException");
  errorBodies.push({ name: "AWS Decrypt of garbage", text: awsGarbage.text });

  // The admin lists grants and principals' keys: responses are not scanned, but the calls log.
  await rpc(admin, "keys", "ListGrants", { keyId: key.keyId });
  await rpc(a, "keys", "RevokeGrant", { keyId: key.keyId, grantId: grant.grantId });
}

/** Every column of every row of every table, text as is and blobs as hex (plus their raw bytes). */
function databaseHaystacks(): { name: string; text: string; raw?: Buffer }[] {
  const db = new Database(join(server.dataDir, "kms.sqlite"), { readonly: true, fileMustExist: true });
  try {
    const tables = (
      db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    const out: { name: string; text: string; raw?: Buffer }[] = [];
    for (const table of tables) {
      const rows = db.prepare(`select * from "${table}"`).all() as Record<string, unknown>[];
      const parts: string[] = [];
      const blobs: Buffer[] = [];
      for (const row of rows) {
        for (const value of Object.values(row)) {
          if (Buffer.isBuffer(value)) {
            parts.push(value.toString("hex"));
            blobs.push(value);
          } else parts.push(String(value));
        }
      }
      out.push({
        name: `table ${table}`,
        text: parts.join("\n"),
        raw: Buffer.concat([Buffer.from(parts.join("\n")), ...blobs]),
      });
    }
    return out;
  } finally {
    db.close();
  }
}

describe("no secret leaks", () => {
  let logs: { name: string; text: string; raw?: Buffer }[];
  let tables: { name: string; text: string; raw?: Buffer }[];

  beforeAll(() => {
    const stdout = server.stdoutLines.join("\n");
    logs = [
      { name: "stdout", text: stdout, raw: Buffer.from(stdout) },
      { name: "stderr", text: server.stderr(), raw: Buffer.from(server.stderr()) },
    ];
    tables = databaseHaystacks();
  });

  it("the scenario used every kind of secret the issue names", () => {
    const labels = secrets.map((s) => s.label);
    for (const kind of [
      "plaintext",
      "data key",
      "private key",
      "token",
      "AWS secret",
      "grant token",
      "context value",
    ]) {
      expect(
        labels.some((l) => l.includes(kind)),
        kind,
      ).toBe(true);
    }
    expect(secrets.length).toBeGreaterThanOrEqual(25);
  });

  it("the scan finds what is there: the description marker in kms_keys, the request id in the log, a reason in an error body", () => {
    const marker = { label: "description marker", bytes: Buffer.from(DESCRIPTION_MARKER) };
    expect(scan(tables, [marker])).toContain("description marker in table kms_keys");
    const reqId = { label: "request id", bytes: Buffer.from(`leak-${RUN}-create`) };
    expect(scan(logs, [reqId])).toContain("request id in stdout");
    expect(
      scan(errorBodies, [{ label: "reason", bytes: Buffer.from("AccessDeniedException") }]).length,
    ).toBeGreaterThan(0);
    // Every form of a credential is recognised where it really is: the CLI's output.
    expect(scan([{ name: "cli output", text: JSON.stringify(A, null, 2) }], secrets)).toEqual([
      "A token in cli output",
      "A AWS secret in cli output",
    ]);
    // The log has a line per call to scan (else the scan of the log would prove little).
    expect(server.logs.filter((l) => typeof l.rpc === "string").length).toBeGreaterThanOrEqual(25);
  });

  it("the scanned tables include the five the issue names", () => {
    const names = tables.map((t) => t.name);
    for (const t of ["kms_audit", "kms_principals", "kms_grants", "kms_key_policies", "kms_keys"]) {
      expect(names).toContain(`table ${t}`);
    }
    expect(tables.find((t) => t.name === "table kms_audit")!.text.length).toBeGreaterThan(0);
    expect(tables.find((t) => t.name === "table kms_grants")!.text.length).toBeGreaterThan(0);
  });

  it("no secret appears in any stdout or stderr line", () => {
    expect(server.stdoutLines.length).toBeGreaterThan(20);
    expect(scan(logs, secrets)).toEqual([]);
  });

  it("no secret appears in any error body", () => {
    expect(errorBodies.length).toBeGreaterThanOrEqual(12);
    expect(scan(errorBodies, secrets)).toEqual([]);
  });

  it("no secret appears in any column of any row of the database", () => {
    expect(scan(tables, secrets)).toEqual([]);
  });
});

afterAll(async () => {
  await server?.stop();
});
