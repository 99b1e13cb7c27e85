import { randomBytes } from "node:crypto";
import {
  CreateGrantCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  ListGrantsCommand,
  PutKeyPolicyCommand,
  RevokeGrantCommand,
} from "@aws-sdk/client-kms";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectGrpcError, type GrpcClients, grpcClients, type WireKeyMetadata } from "../helpers/grpc-client.js";
import {
  awsCall,
  awsClient,
  awsErrorName,
  createPrincipal,
  kmsCli,
  type PrincipalCredentials,
  rpc,
  sqliteArgs,
} from "../helpers/security.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * Authorization (docs/security.md): principal B cannot use principal A's key; key policies (explicit Deny
 * wins, Allow allows) and grants (exactly the granted operations under exactly the granted
 * context constraints, nothing after revocation) open it up; admins can always repair a policy.
 * Principals are made with the real `kms` CLI against the running server's data directory.
 */

const { PERMISSION_DENIED, INVALID_ARGUMENT, UNAUTHENTICATED } = grpc.status;
const DENIED = "AccessDeniedException";

let server: ServerProcess;
let A: PrincipalCredentials;
let B: PrincipalCredentials;
let admin: GrpcClients;
let a: GrpcClients;
let b: GrpcClients;

/** Distinctive description and tag value: a refusal must not reveal them. */
const SECRET_DESCRIPTION = `desc-${randomBytes(8).toString("hex")}`;
const SECRET_TAG = `tag-${randomBytes(8).toString("hex")}`;
let key: WireKeyMetadata;

const pt = (s: string) => Buffer.from(s, "utf8");

interface EncryptOut {
  ciphertextBlob: Buffer;
  iv: Buffer;
  algorithm: string;
}

async function newKey(c: GrpcClients, extra: Record<string, unknown> = {}): Promise<WireKeyMetadata> {
  return (await c.keys.CreateKey({ description: "authz", ...extra })).key;
}

function encrypt(c: GrpcClients, keyId: string, ctx?: Record<string, string>, grantTokens?: string[]) {
  return c.crypto.Encrypt({
    keyId,
    plaintext: pt("authz plaintext"),
    ...(ctx ? { encryptionContext: ctx } : {}),
    ...(grantTokens ? { grantTokens } : {}),
  });
}

function decrypt(c: GrpcClients, keyId: string, enc: EncryptOut, ctx?: Record<string, string>) {
  return c.crypto.Decrypt({
    keyId,
    ciphertextBlob: enc.ciphertextBlob,
    iv: enc.iv,
    algorithm: enc.algorithm,
    ...(ctx ? { encryptionContext: ctx } : {}),
  });
}

interface GrantOut {
  grantId: string;
  grantToken: string;
}

function createGrant(c: GrpcClients, req: Record<string, unknown>): Promise<GrantOut> {
  return rpc<GrantOut>(c, "keys", "CreateGrant", req);
}

const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (who: string, action: string | string[]) => ({
  Effect: "Allow",
  Principal: { KMS: who },
  Action: action,
  Resource: "*",
});

beforeAll(async () => {
  server = await startServer();
  // The CLI writes to the server's SQLite database while it runs (WAL).
  A = await createPrincipal(sqliteArgs(server.dataDir), "A");
  B = await createPrincipal(sqliteArgs(server.dataDir), "B");
  admin = grpcClients(server.url);
  a = grpcClients(server.url, A.token);
  b = grpcClients(server.url, B.token);
  key = await newKey(a, { description: SECRET_DESCRIPTION, tags: { project: SECRET_TAG } });
});

afterAll(async () => {
  for (const c of [admin, a, b]) c?.close();
  await server?.stop();
});

describe("B cannot use A's key", () => {
  let enc: EncryptOut;
  beforeAll(async () => {
    enc = await encrypt(a, key.keyId);
  });

  it("the CLI made two non-admin principals with distinct credentials", () => {
    expect([A.admin, B.admin]).toEqual([false, false]);
    expect(new Set([A.token, B.token, A.accessKeyId, B.accessKeyId]).size).toBe(4);
  });

  it("over gRPC: DescribeKey, Encrypt, Decrypt, GenerateDataKey, GetKeyPolicy, ListGrants are PERMISSION_DENIED", async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ["DescribeKey", () => b.keys.DescribeKey({ keyId: key.keyId })],
      ["DescribeKey by ARN", () => b.keys.DescribeKey({ keyId: key.arn })],
      ["Encrypt", () => encrypt(b, key.keyId)],
      ["Decrypt", () => decrypt(b, key.keyId, enc)],
      ["GenerateDataKey", () => b.dataKeys.GenerateDataKey({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" })],
      ["GetKeyPolicy", () => rpc(b, "keys", "GetKeyPolicy", { keyId: key.keyId })],
      ["ListGrants", () => rpc(b, "keys", "ListGrants", { keyId: key.keyId })],
      ["UpdateKeyDescription", () => b.keys.UpdateKeyDescription({ keyId: key.keyId, description: "hijacked" })],
    ];
    for (const [name, call] of calls) {
      const err = await expectGrpcError(call(), PERMISSION_DENIED, DENIED).catch((e: unknown) => {
        throw new Error(`${name}: ${(e as Error).message}`);
      });
      // The refusal names the action, never the key's contents.
      const bin = err.metadata.get("grpc-status-details-bin")[0];
      const everything = `${err.details} ${decodeURIComponent(err.details)} ${Buffer.from(bin ?? "").toString("latin1")}`;
      // (The scanned text does hold the error details, so the checks below can fail.)
      expect(everything).toContain(DENIED);
      expect(everything).not.toContain(SECRET_DESCRIPTION);
      expect(everything).not.toContain(SECRET_TAG);
    }
  });

  it("the key is unchanged by B's attempts, and the admin and A can use it", async () => {
    const described = await admin.keys.DescribeKey({ keyId: key.keyId });
    expect(described.key.description).toBe(SECRET_DESCRIPTION);
    expect(described.key.tags).toEqual({ project: SECRET_TAG });
    const adminEnc = await encrypt(admin, key.keyId);
    expect((await decrypt(a, key.keyId, adminEnc)).plaintext.toString()).toBe("authz plaintext");
    expect((await decrypt(admin, key.keyId, enc)).plaintext.toString()).toBe("authz plaintext");
  });

  it("over AWS with B's access keys: DescribeKey and Encrypt are AccessDeniedException, bodies reveal nothing", async () => {
    const kms = awsClient(server.url, B);
    try {
      expect(await awsErrorName(kms.send(new DescribeKeyCommand({ KeyId: key.keyId })))).toBe(DENIED);
      expect(await awsErrorName(kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: pt("x") })))).toBe(DENIED);
    } finally {
      kms.destroy();
    }
    const raw = await awsCall(server.url, {
      operation: "DescribeKey",
      body: JSON.stringify({ KeyId: key.keyId }),
      credentials: B,
    });
    expect(raw.type).toBe(DENIED);
    expect(raw.text).not.toContain(SECRET_DESCRIPTION);
    expect(raw.text).not.toContain(SECRET_TAG);
  });

  it("B's refusal does not depend on the key's state (no existence/state oracle beyond AccessDenied)", async () => {
    const disabled = await newKey(a);
    await a.keys.DisableKey({ keyId: disabled.keyId });
    await expectGrpcError(encrypt(b, disabled.keyId), PERMISSION_DENIED, DENIED);
    await expectGrpcError(encrypt(a, disabled.keyId), grpc.status.FAILED_PRECONDITION, "DisabledException");
  });
});

describe("grants", () => {
  let grantKey: WireKeyMetadata;
  let equalsGrant: GrantOut;
  let subsetGrant: GrantOut;
  const TENANT_B = { tenant: "b" };

  beforeAll(async () => {
    grantKey = await newKey(a);
    equalsGrant = await createGrant(a, {
      keyId: grantKey.keyId,
      granteePrincipal: "B",
      operations: ["Encrypt", "Decrypt"],
      constraints: { encryptionContextEquals: TENANT_B },
      name: "b-equals",
    });
  });

  it("before any grant B is refused; the grant gives B Encrypt and AdvanceEncrypt under exactly that context", async () => {
    const other = await newKey(a);
    await expectGrpcError(encrypt(b, other.keyId, TENANT_B), PERMISSION_DENIED, DENIED);

    const enc = await encrypt(b, grantKey.keyId, TENANT_B);
    expect((await decrypt(b, grantKey.keyId, enc, TENANT_B)).plaintext.toString()).toBe("authz plaintext");
    const adv = await b.crypto.AdvanceEncrypt({
      keyId: grantKey.keyId,
      plaintext: pt("adv"),
      encryptionContext: TENANT_B,
    });
    expect(
      (
        await b.crypto.AdvanceDecrypt({ ciphertextBlob: adv.ciphertextBlob, encryptionContext: TENANT_B })
      ).plaintext.toString(),
    ).toBe("adv");
    // The grant is for grantKey only.
    await expectGrpcError(encrypt(b, other.keyId, TENANT_B), PERMISSION_DENIED, DENIED);
  });

  it.each([
    ["another value", { tenant: "c" }],
    ["an extra pair (Equals means equal)", { tenant: "b", extra: "1" }],
    ["the value in another case", { tenant: "B" }],
    ["no context", undefined],
  ])("with %s B is refused Encrypt and AdvanceEncrypt", async (_, ctx) => {
    await expectGrpcError(encrypt(b, grantKey.keyId, ctx), PERMISSION_DENIED, DENIED);
    await expectGrpcError(
      b.crypto.AdvanceEncrypt({
        keyId: grantKey.keyId,
        plaintext: pt("x"),
        ...(ctx ? { encryptionContext: ctx } : {}),
      }),
      PERMISSION_DENIED,
      DENIED,
    );
  });

  it("operations not granted stay refused under the granted context", async () => {
    await expectGrpcError(
      b.dataKeys.GenerateDataKey({
        keyId: grantKey.keyId,
        keySpec: "DATA_KEY_SPEC_AES_256",
        encryptionContext: TENANT_B,
      }),
      PERMISSION_DENIED,
      DENIED,
    );
    await expectGrpcError(b.keys.DescribeKey({ keyId: grantKey.keyId }), PERMISSION_DENIED, DENIED);
    await expectGrpcError(
      b.keys.ScheduleKeyDeletion({ keyId: grantKey.keyId, pendingWindowDays: 7 }),
      PERMISSION_DENIED,
      DENIED,
    );
  });

  it("the grant token works at once in grant_tokens; malformed and unknown tokens are InvalidGrantTokenException", async () => {
    const enc = await encrypt(b, grantKey.keyId, TENANT_B, [equalsGrant.grantToken]);
    expect(enc.ciphertextBlob.length).toBeGreaterThan(0);
    // The token is no skeleton key: it still carries its grant's constraint.
    await expectGrpcError(
      encrypt(b, grantKey.keyId, { tenant: "c" }, [equalsGrant.grantToken]),
      PERMISSION_DENIED,
      DENIED,
    );

    const t = equalsGrant.grantToken;
    const flipped = t.slice(0, -2) + (t.at(-2) === "A" ? "B" : "A") + t.at(-1);
    for (const bad of ["not-a-grant-token", flipped]) {
      await expectGrpcError(
        encrypt(b, grantKey.keyId, TENANT_B, [bad]),
        INVALID_ARGUMENT,
        "InvalidGrantTokenException",
      );
      // Even the key's owner is refused with a bad token: tokens are checked first.
      await expectGrpcError(
        encrypt(a, grantKey.keyId, TENANT_B, [bad]),
        INVALID_ARGUMENT,
        "InvalidGrantTokenException",
      );
    }
  });

  it("another principal presenting B's grant token gets nothing from it", async () => {
    const C = await createPrincipal(sqliteArgs(server.dataDir), `C-${randomBytes(3).toString("hex")}`);
    const c = grpcClients(server.url, C.token);
    try {
      await expectGrpcError(encrypt(c, grantKey.keyId, TENANT_B, [equalsGrant.grantToken]), PERMISSION_DENIED, DENIED);
    } finally {
      c.close();
    }
  });

  it("EncryptionContextSubset allows extra pairs but needs every constrained pair", async () => {
    subsetGrant = await createGrant(a, {
      keyId: grantKey.keyId,
      granteePrincipal: "B",
      operations: ["GenerateDataKey"],
      constraints: { encryptionContextSubset: TENANT_B },
    });
    const dk = await b.dataKeys.GenerateDataKey({
      keyId: grantKey.keyId,
      keySpec: "DATA_KEY_SPEC_AES_256",
      encryptionContext: { tenant: "b", purpose: "extra" },
    });
    expect(dk.plaintext.length).toBe(32);
    for (const ctx of [{ tenant: "c", purpose: "extra" }, { purpose: "extra" }]) {
      await expectGrpcError(
        b.dataKeys.GenerateDataKey({ keyId: grantKey.keyId, keySpec: "DATA_KEY_SPEC_AES_256", encryptionContext: ctx }),
        PERMISSION_DENIED,
        DENIED,
      );
    }
  });

  it("ListGrants by A shows both grants with grantee, operations and constraints", async () => {
    const listed = await rpc<{ grants: Record<string, unknown>[] }>(a, "keys", "ListGrants", { keyId: grantKey.keyId });
    const byId = Object.fromEntries(listed.grants.map((g) => [g.grantId as string, g]));
    expect(Object.keys(byId).sort()).toEqual([equalsGrant.grantId, subsetGrant.grantId].sort());
    expect(byId[equalsGrant.grantId]).toMatchObject({
      keyId: grantKey.keyId,
      granteePrincipal: "B",
      operations: ["Encrypt", "Decrypt"],
      constraints: { encryptionContextEquals: TENANT_B },
      name: "b-equals",
      issuingPrincipal: "A",
    });
    expect(byId[subsetGrant.grantId]).toMatchObject({
      granteePrincipal: "B",
      operations: ["GenerateDataKey"],
      constraints: { encryptionContextSubset: TENANT_B },
    });
    // The listing never shows a grant token.
    expect(JSON.stringify(listed)).not.toContain(equalsGrant.grantToken);
  });

  it("B cannot RevokeGrant, PutKeyPolicy or CreateGrant on A's key", async () => {
    await expectGrpcError(
      rpc(b, "keys", "RevokeGrant", { keyId: grantKey.keyId, grantId: equalsGrant.grantId }),
      PERMISSION_DENIED,
      DENIED,
    );
    await expectGrpcError(
      rpc(b, "keys", "PutKeyPolicy", { keyId: grantKey.keyId, policy: policy([allow("B", "kms:*")]) }),
      PERMISSION_DENIED,
      DENIED,
    );
    await expectGrpcError(
      createGrant(b, { keyId: grantKey.keyId, granteePrincipal: "B", operations: ["GenerateDataKey"] }),
      PERMISSION_DENIED,
      DENIED,
    );
    // Still in force after B's attempts.
    await encrypt(b, grantKey.keyId, TENANT_B);
  });

  it("RevokeGrant by A refuses B at once, by grantee and by token", async () => {
    await rpc(a, "keys", "RevokeGrant", { keyId: grantKey.keyId, grantId: equalsGrant.grantId });
    await expectGrpcError(encrypt(b, grantKey.keyId, TENANT_B), PERMISSION_DENIED, DENIED);
    await expectGrpcError(
      encrypt(b, grantKey.keyId, TENANT_B, [equalsGrant.grantToken]),
      INVALID_ARGUMENT,
      "InvalidGrantTokenException",
    );
    // The other grant is untouched.
    await b.dataKeys.GenerateDataKey({
      keyId: grantKey.keyId,
      keySpec: "DATA_KEY_SPEC_AES_256",
      encryptionContext: TENANT_B,
    });
  });

  it("RetireGrant by the grantee (by token) ends the grant; a stranger cannot retire", async () => {
    const C = await createPrincipal(sqliteArgs(server.dataDir), `C-${randomBytes(3).toString("hex")}`);
    const c = grpcClients(server.url, C.token);
    try {
      await expectGrpcError(
        rpc(c, "keys", "RetireGrant", { grantToken: subsetGrant.grantToken }),
        PERMISSION_DENIED,
        DENIED,
      );
      await expectGrpcError(
        rpc(c, "keys", "RetireGrant", { keyId: grantKey.keyId, grantId: subsetGrant.grantId }),
        PERMISSION_DENIED,
        DENIED,
      );
    } finally {
      c.close();
    }
    await rpc(b, "keys", "RetireGrant", { grantToken: subsetGrant.grantToken });
    await expectGrpcError(
      b.dataKeys.GenerateDataKey({
        keyId: grantKey.keyId,
        keySpec: "DATA_KEY_SPEC_AES_256",
        encryptionContext: TENANT_B,
      }),
      PERMISSION_DENIED,
      DENIED,
    );
    const listed = await rpc<{ grants: unknown[] }>(a, "keys", "ListGrants", { keyId: grantKey.keyId });
    expect(listed.grants).toEqual([]);
  });

  it("RetireGrant naming a key the grant is not on is NOT_FOUND and retires nothing (regression)", async () => {
    // src/core/access/grants.ts retireGrant: when the caller may not access the named key (a grantee
    // usually may not), `key` is null and the `grant.keyId !== key.id` check is skipped, so the
    // grant is retired through an unrelated key id, and the audit record names that other key.
    const g = await createGrant(a, { keyId: grantKey.keyId, granteePrincipal: "B", operations: ["Encrypt"] });
    const unrelated = await newKey(a);
    await expectGrpcError(
      rpc(b, "keys", "RetireGrant", { keyId: unrelated.keyId, grantId: g.grantId }),
      grpc.status.NOT_FOUND,
      "NotFoundException",
    );
    const listed = await rpc<{ grants: { grantId: string }[] }>(a, "keys", "ListGrants", { keyId: grantKey.keyId });
    const still = listed.grants.map((x) => x.grantId).includes(g.grantId);
    await rpc(a, "keys", "RevokeGrant", { keyId: grantKey.keyId, grantId: g.grantId }).catch(() => {});
    expect(still).toBe(true);
  });

  it("RetireGrant by the grantee by key and grant id works too", async () => {
    const g = await createGrant(a, { keyId: grantKey.keyId, granteePrincipal: "B", operations: ["Encrypt"] });
    await encrypt(b, grantKey.keyId);
    await rpc(b, "keys", "RetireGrant", { keyId: grantKey.keyId, grantId: g.grantId });
    await expectGrpcError(encrypt(b, grantKey.keyId), PERMISSION_DENIED, DENIED);
  });
});

describe("key policies", () => {
  it("a policy allowing B kms:Decrypt only: B decrypts A's ciphertext, cannot Encrypt", async () => {
    const k = await newKey(a);
    const enc = await encrypt(a, k.keyId);
    const doc = policy([allow("A", "kms:*"), allow("B", "kms:Decrypt")]);
    await rpc(a, "keys", "PutKeyPolicy", { keyId: k.keyId, policy: doc });
    const got = await rpc<{ keyId: string; policy: string }>(a, "keys", "GetKeyPolicy", { keyId: k.keyId });
    expect({ keyId: got.keyId, policy: JSON.parse(got.policy) }).toEqual({ keyId: k.keyId, policy: JSON.parse(doc) });

    expect((await decrypt(b, k.keyId, enc)).plaintext.toString()).toBe("authz plaintext");
    await expectGrpcError(encrypt(b, k.keyId), PERMISSION_DENIED, DENIED);
    await expectGrpcError(b.keys.DescribeKey({ keyId: k.keyId }), PERMISSION_DENIED, DENIED);
    await expectGrpcError(rpc(b, "keys", "GetKeyPolicy", { keyId: k.keyId }), PERMISSION_DENIED, DENIED);
  });

  it("an explicit Deny wins over Allow kms:*: A is denied Encrypt, allowed Decrypt", async () => {
    const k = await newKey(a);
    const enc = await encrypt(a, k.keyId);
    await rpc(a, "keys", "PutKeyPolicy", {
      keyId: k.keyId,
      policy: policy([
        allow("A", "kms:*"),
        { Effect: "Deny", Principal: { KMS: "A" }, Action: "kms:Encrypt", Resource: "*" },
      ]),
    });
    await expectGrpcError(encrypt(a, k.keyId), PERMISSION_DENIED, DENIED);
    await expectGrpcError(a.crypto.AdvanceEncrypt({ keyId: k.keyId, plaintext: pt("x") }), PERMISSION_DENIED, DENIED);
    expect((await decrypt(a, k.keyId, enc)).plaintext.toString()).toBe("authz plaintext");
  });

  it("a Deny also beats a grant", async () => {
    const k = await newKey(a);
    await rpc(a, "keys", "PutKeyPolicy", {
      keyId: k.keyId,
      policy: policy([
        allow("A", "kms:*"),
        { Effect: "Deny", Principal: { KMS: "B" }, Action: "kms:Encrypt", Resource: "*" },
      ]),
    });
    const g = await createGrant(a, { keyId: k.keyId, granteePrincipal: "B", operations: ["Encrypt"] });
    await expectGrpcError(encrypt(b, k.keyId, undefined, [g.grantToken]), PERMISSION_DENIED, DENIED);
  });

  it("a policy condition on the encryption context is enforced", async () => {
    const k = await newKey(a);
    await rpc(a, "keys", "PutKeyPolicy", {
      keyId: k.keyId,
      policy: policy([
        allow("A", "kms:*"),
        { ...allow("B", "kms:Encrypt"), Condition: { StringEquals: { "kms:EncryptionContext:tenant": "b" } } },
      ]),
    });
    await encrypt(b, k.keyId, { tenant: "b" });
    await expectGrpcError(encrypt(b, k.keyId, { tenant: "a" }), PERMISSION_DENIED, DENIED);
    await expectGrpcError(encrypt(b, k.keyId), PERMISSION_DENIED, DENIED);
  });

  it.each([
    ["not JSON", "{not json"],
    ["no Statement", JSON.stringify({ Version: "2012-10-17" })],
    ["a bad Effect", policy([{ Effect: "Maybe", Principal: { KMS: "A" }, Action: "kms:*" }])],
    [
      "NotAction (unsupported, must not be ignored)",
      policy([{ Effect: "Deny", Principal: "*", NotAction: "kms:Decrypt" }]),
    ],
    ["a non-kms action", policy([allow("A", "s3:GetObject")])],
    [
      "an unknown condition operator",
      policy([{ ...allow("A", "kms:*"), Condition: { NumericEquals: { "kms:x": "1" } } }]),
    ],
  ])("a malformed policy (%s) is INVALID_ARGUMENT and changes nothing", async (_, doc) => {
    const k = await newKey(a);
    const before = await rpc<{ policy: string }>(a, "keys", "GetKeyPolicy", { keyId: k.keyId });
    await expectGrpcError(
      rpc(a, "keys", "PutKeyPolicy", { keyId: k.keyId, policy: doc }),
      INVALID_ARGUMENT,
      "ValidationException",
    );
    const after = await rpc<{ policy: string }>(a, "keys", "GetKeyPolicy", { keyId: k.keyId });
    expect(after.policy).toBe(before.policy);
    await expectGrpcError(newKey(a, { policy: doc }), INVALID_ARGUMENT, "ValidationException");
  });

  it("CreateKey with a policy applies it from the start", async () => {
    const k = await newKey(a, {
      policy: policy([allow("A", "kms:*"), allow("B", ["kms:Encrypt", "kms:DescribeKey"])]),
    });
    await encrypt(b, k.keyId);
    expect((await b.keys.DescribeKey({ keyId: k.keyId })).key.keyId).toBe(k.keyId);
    await expectGrpcError(b.keys.DisableKey({ keyId: k.keyId }), PERMISSION_DENIED, DENIED);
  });

  it("a policy that locks A out is enforced, and the admin can always fix it", async () => {
    const k = await newKey(a);
    await rpc(a, "keys", "PutKeyPolicy", { keyId: k.keyId, policy: policy([allow("B", "kms:Decrypt")]) });
    await expectGrpcError(encrypt(a, k.keyId), PERMISSION_DENIED, DENIED);
    await expectGrpcError(
      rpc(a, "keys", "PutKeyPolicy", { keyId: k.keyId, policy: policy([allow("A", "kms:*")]) }),
      PERMISSION_DENIED,
      DENIED,
    );
    // Even a policy denying everyone everything does not stop an admin.
    await rpc(admin, "keys", "PutKeyPolicy", {
      keyId: k.keyId,
      policy: policy([{ Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" }]),
    });
    await encrypt(admin, k.keyId);
    await rpc(admin, "keys", "PutKeyPolicy", { keyId: k.keyId, policy: policy([allow("A", "kms:*")]) });
    await encrypt(a, k.keyId);
  });
});

describe("over the AWS API with B's access keys", () => {
  it("CreateGrant / ListGrants / RevokeGrant / GetKeyPolicy / PutKeyPolicy", async () => {
    const kmsA = awsClient(server.url, A);
    const kmsB = awsClient(server.url, B);
    try {
      const k = await newKey(a);
      const ctx = { tenant: "b-aws" };
      const grant = await kmsA.send(
        new CreateGrantCommand({
          KeyId: k.keyId,
          GranteePrincipal: "B",
          Operations: ["Encrypt"],
          Constraints: { EncryptionContextEquals: ctx },
        }),
      );
      expect(grant.GrantId).toMatch(/^[0-9a-f]{64}$/);

      const ok = await kmsB.send(
        new EncryptCommand({
          KeyId: k.keyId,
          Plaintext: pt("aws"),
          EncryptionContext: ctx,
          GrantTokens: [grant.GrantToken!],
        }),
      );
      expect(ok.KeyId).toBe(k.arn);
      expect(
        await awsErrorName(
          kmsB.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: pt("aws"), EncryptionContext: { tenant: "x" } })),
        ),
      ).toBe(DENIED);
      expect(
        await awsErrorName(
          kmsB.send(
            new EncryptCommand({
              KeyId: k.keyId,
              Plaintext: pt("aws"),
              EncryptionContext: ctx,
              GrantTokens: ["bogus"],
            }),
          ),
        ),
      ).toBe("InvalidGrantTokenException");

      const listed = await kmsA.send(new ListGrantsCommand({ KeyId: k.keyId }));
      expect(listed.Grants?.map((g) => [g.GrantId, g.GranteePrincipal, g.Operations])).toEqual([
        [grant.GrantId, "B", ["Encrypt"]],
      ]);
      expect(await awsErrorName(kmsB.send(new ListGrantsCommand({ KeyId: k.keyId })))).toBe(DENIED);
      expect(await awsErrorName(kmsB.send(new GetKeyPolicyCommand({ KeyId: k.keyId })))).toBe(DENIED);
      expect(
        await awsErrorName(
          kmsB.send(new PutKeyPolicyCommand({ KeyId: k.keyId, Policy: policy([allow("B", "kms:*")]) })),
        ),
      ).toBe(DENIED);
      expect(await awsErrorName(kmsB.send(new RevokeGrantCommand({ KeyId: k.keyId, GrantId: grant.GrantId! })))).toBe(
        DENIED,
      );

      await kmsA.send(new RevokeGrantCommand({ KeyId: k.keyId, GrantId: grant.GrantId! }));
      expect(
        await awsErrorName(
          kmsB.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: pt("aws"), EncryptionContext: ctx })),
        ),
      ).toBe(DENIED);

      const doc = policy([allow("A", "kms:*"), allow("B", "kms:Encrypt")]);
      await kmsA.send(new PutKeyPolicyCommand({ KeyId: k.keyId, Policy: doc }));
      const got = await kmsA.send(new GetKeyPolicyCommand({ KeyId: k.keyId }));
      expect(JSON.parse(got.Policy!)).toEqual(JSON.parse(doc));
      await kmsB.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: pt("aws") }));
      expect(await awsErrorName(kmsA.send(new PutKeyPolicyCommand({ KeyId: k.keyId, Policy: "{not json" })))).toBe(
        "ValidationException",
      );
    } finally {
      kmsA.destroy();
      kmsB.destroy();
    }
  });
});

describe("deleting a principal", () => {
  it("kms principal delete B refuses B's token and access keys at once", async () => {
    const before = await encrypt(a, key.keyId);
    expect(before.ciphertextBlob.length).toBeGreaterThan(0);
    expect((await b.keys.ListKeys({})).keys).toBeDefined();
    const out = await kmsCli(["principal", "delete", "B", ...sqliteArgs(server.dataDir)]);
    expect(out.code).toBe(0);
    await expectGrpcError(b.keys.ListKeys({}), UNAUTHENTICATED, "UnrecognizedClientException");
    const r = await awsCall(server.url, { operation: "ListKeys", credentials: B });
    expect(r.type).toBe("UnrecognizedClientException");
    const list = await kmsCli(["principal", "list", ...sqliteArgs(server.dataDir)]);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((p) => p.name)).not.toContain("B");
    // A is unaffected.
    await encrypt(a, key.keyId);
  });
});
