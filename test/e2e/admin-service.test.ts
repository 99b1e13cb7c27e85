import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditOutcome, AuditProblem } from "../../gen/kms/v1/admin_service_pb.js";
import { createKmsClient } from "../../src/client/node.js";
import type { KmsClient } from "../../src/client/index.js";
import { KmsClientError } from "../../src/client/errors.js";
import { sqliteFile } from "../../src/store/open-store.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * `kms.v1.AdminService` against the real server: who am I, principals created with credentials
 * shown once and deleted for good, the audit trail newest first with its filters and paging, and
 * the chain's verification naming the first changed record. Everything but GetCallerIdentity is
 * refused to a principal that is not an admin.
 */

const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e: unknown) => (e instanceof KmsClientError ? (e.reason ?? e.codeName) : "not a KmsClientError"),
  );

describe("AdminService", () => {
  let server: ServerProcess;
  let admin: KmsClient;
  let userToken = "";
  const client = (token: string) => createKmsClient({ baseUrl: server.url, token, retry: false });

  beforeAll(async () => {
    server = await startServer();
    admin = client(TEST_ADMIN.token);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("names the caller and whether it is an admin", async () => {
    expect(await admin.admin.getCallerIdentity({})).toMatchObject({ name: "admin", admin: true });
  });

  it("creates a principal whose credentials work at once, and lists it without secrets", async () => {
    const created = await admin.admin.createPrincipal({ name: "carol", admin: false });
    expect(created.principal?.name).toBe("carol");
    expect(created.token.length).toBeGreaterThanOrEqual(16);
    expect(created.accessKeyId).toMatch(/^[A-Z0-9]{16,128}$/);
    userToken = created.token;
    expect(await client(userToken).admin.getCallerIdentity({})).toMatchObject({ name: "carol", admin: false });

    const { principals } = await admin.admin.listPrincipals({});
    expect(principals.map((p) => [p.name, p.admin])).toEqual([
      ["admin", true],
      ["carol", false],
    ]);
    expect(JSON.stringify(principals.map((p) => ({ ...p, createTime: undefined })))).not.toContain(userToken);

    expect(await reasonOf(admin.admin.createPrincipal({ name: "carol" }))).toBe("AlreadyExistsException");
    expect(await reasonOf(admin.admin.createPrincipal({ name: "no spaces" }))).toBe("ValidationException");
    expect(await reasonOf(admin.admin.deletePrincipal({ name: "admin" }))).toBe("KMSInvalidStateException");
    expect(await reasonOf(admin.admin.deletePrincipal({ name: "nobody" }))).toBe("NotFoundException");
  });

  it("refuses every administrative RPC to a principal that is not an admin", async () => {
    const user = client(userToken).admin;
    expect(await reasonOf(user.listPrincipals({}))).toBe("AccessDeniedException");
    expect(await reasonOf(user.createPrincipal({ name: "mallory", admin: true }))).toBe("AccessDeniedException");
    expect(await reasonOf(user.deletePrincipal({ name: "admin" }))).toBe("AccessDeniedException");
    expect(await reasonOf(user.listAuditRecords({}))).toBe("AccessDeniedException");
    expect(await reasonOf(user.verifyAuditChain({}))).toBe("AccessDeniedException");
  });

  it("lists audit records newest first, filtered by principal, key, operation, outcome and time, page by page", async () => {
    const started = new Date(Date.now() - 1000);
    const { key } = await admin.keys.createKey({ description: "audited" });
    const keyId = key!.keyId;
    for (let i = 0; i < 3; i++) await admin.crypto.encrypt({ keyId, plaintext: new Uint8Array([i]) });
    expect(await reasonOf(client(userToken).crypto.encrypt({ keyId, plaintext: new Uint8Array([1]) }))).toBe(
      "AccessDeniedException",
    );

    const onKey = await admin.admin.listAuditRecords({ keyId });
    expect(onKey.records.map((r) => r.operation)).toEqual([
      "kms.v1.CryptoService/Encrypt",
      "kms.v1.CryptoService/Encrypt",
      "kms.v1.CryptoService/Encrypt",
      "kms.v1.CryptoService/Encrypt",
      "kms.v1.KeyService/CreateKey",
    ]);
    const seqs = onKey.records.map((r) => Number(r.seq));
    expect([...seqs].sort((a, b) => b - a)).toEqual(seqs);

    const denied = await admin.admin.listAuditRecords({ keyId, outcome: AuditOutcome.ERROR });
    expect(denied.records.map((r) => [r.principal, r.errorCode])).toEqual([["carol", "AccessDenied"]]);
    const byMethod = await admin.admin.listAuditRecords({ principal: "admin", operation: "Encrypt", keyId });
    expect(byMethod.records).toHaveLength(3);
    const qualified = await admin.admin.listAuditRecords({ operation: "kms.v1.KeyService/CreateKey", keyId });
    expect(qualified.records).toHaveLength(1);
    const future = await admin.admin.listAuditRecords({ startTime: timestampFromDate(new Date(Date.now() + 60_000)) });
    expect(future.records).toEqual([]);
    const since = await admin.admin.listAuditRecords({ keyId, startTime: timestampFromDate(started) });
    expect(since.records).toHaveLength(5);

    const first = await admin.admin.listAuditRecords({ keyId, pageSize: 2 });
    const second = await admin.admin.listAuditRecords({ keyId, pageSize: 2, pageToken: first.nextPageToken });
    const third = await admin.admin.listAuditRecords({ keyId, pageSize: 2, pageToken: second.nextPageToken });
    expect([...first.records, ...second.records, ...third.records].map((r) => Number(r.seq))).toEqual(seqs);
    expect(third.nextPageToken).toBe("");

    expect(await reasonOf(admin.admin.listAuditRecords({ pageToken: "abc" }))).toBe("ValidationException");
    expect(await reasonOf(admin.admin.listAuditRecords({ operation: "Enc%" }))).toBe("ValidationException");
    const now = timestampFromDate(new Date());
    expect(await reasonOf(admin.admin.listAuditRecords({ startTime: now, endTime: now }))).toBe("ValidationException");
  });

  it("reports an intact chain with its head, then names the first record changed behind its back", async () => {
    const intact = await admin.admin.verifyAuditChain({});
    expect(intact.intact).toBe(true);
    expect(intact.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(intact.recordCount)).toBe(Number(intact.headSeq));
    // A value that is no hash is refused, not reported as deleted records (issue 19).
    expect(await reasonOf(admin.admin.verifyAuditChain({ expectHeadHash: "deadbeef" }))).toBe("ValidationException");
    const head = await admin.admin.verifyAuditChain({ expectHeadHash: intact.headHash.toUpperCase() });
    expect(head.intact).toBe(true);

    const db = new Database(sqliteFile(server.dataDir));
    try {
      db.prepare("update kms_audit set principal = 'someone-else' where seq = 3").run();
    } finally {
      db.close();
    }
    const broken = await admin.admin.verifyAuditChain({});
    expect(broken).toMatchObject({ intact: false, brokenSeq: 3n, problem: AuditProblem.HASH });
  });

  it("deletes a principal: its token stops working at once and its name cannot be taken again", async () => {
    await admin.admin.deletePrincipal({ name: "carol" });
    expect(await reasonOf(client(userToken).admin.getCallerIdentity({}))).toBe("UnrecognizedClientException");
    expect((await admin.admin.listPrincipals({})).principals.map((p) => p.name)).toEqual(["admin"]);
    expect(await reasonOf(admin.admin.createPrincipal({ name: "carol" }))).toBe("AlreadyExistsException");
  });
});
