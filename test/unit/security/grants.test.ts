import { describe, expect, it } from "vitest";
import {
  constraintsWithin,
  GRANT_OPERATIONS,
  type Grant,
  grantAllows,
  isWellFormedGrantToken,
  newGrantId,
  newGrantToken,
  validateGrantRequest,
} from "../../../src/security/grants.js";
import { codeOf } from "../../helpers/code-of.js";

function grant(overrides: Partial<Grant> = {}): Grant {
  return {
    grantId: "g1",
    keyId: "k1",
    grantee: "bob",
    operations: ["Encrypt", "Decrypt", "DescribeKey"],
    createdBy: "alice",
    createdAt: new Date(0),
    ...overrides,
  };
}

const use = (operation: string, context: Record<string, string> = {}, principal = "bob") => ({
  principal,
  operation,
  context,
});

describe("grantAllows", () => {
  it("allows exactly the grantee and the granted operations", () => {
    const g = grant();
    expect(grantAllows(g, use("Encrypt"))).toBe(true);
    expect(grantAllows(g, use("Decrypt"))).toBe(true);
    expect(grantAllows(g, use("GenerateDataKey"))).toBe(false);
    expect(grantAllows(g, use("Encrypt", {}, "carol"))).toBe(false);
    expect(grantAllows(g, use("encrypt"))).toBe(false);
  });

  it("EncryptionContextEquals: the context must be exactly the constraint", () => {
    const g = grant({ constraints: { encryptionContextEquals: { tenant: "t-1", app: "x" } } });
    expect(grantAllows(g, use("Decrypt", { app: "x", tenant: "t-1" }))).toBe(true);
    expect(grantAllows(g, use("Decrypt", { tenant: "t-1" }))).toBe(false);
    expect(grantAllows(g, use("Decrypt", { tenant: "t-1", app: "x", extra: "y" }))).toBe(false);
    expect(grantAllows(g, use("Decrypt", { tenant: "t-2", app: "x" }))).toBe(false);
    expect(grantAllows(g, use("Decrypt"))).toBe(false);
  });

  it("EncryptionContextSubset: every constraint pair must be present; extra pairs are fine", () => {
    const g = grant({ constraints: { encryptionContextSubset: { tenant: "t-1" } } });
    expect(grantAllows(g, use("Encrypt", { tenant: "t-1" }))).toBe(true);
    expect(grantAllows(g, use("Encrypt", { tenant: "t-1", extra: "y" }))).toBe(true);
    expect(grantAllows(g, use("Encrypt", { tenant: "T-1" }))).toBe(false);
    expect(grantAllows(g, use("Encrypt", { other: "t-1" }))).toBe(false);
    expect(grantAllows(g, use("Encrypt"))).toBe(false);
  });

  it("matches constraint keys case-insensitively and values case-sensitively, as AWS documents", () => {
    const g = grant({ constraints: { encryptionContextSubset: { Tenant: "t-1" } } });
    expect(grantAllows(g, use("Encrypt", { tenant: "t-1" }))).toBe(true);
    expect(grantAllows(g, use("Encrypt", { TENANT: "t-1" }))).toBe(true);
    // Ambiguous context (keys differing only in case) satisfies no constraint.
    expect(grantAllows(g, use("Encrypt", { tenant: "t-1", TENANT: "t-2" }))).toBe(false);
  });

  it("does not apply the constraint to DescribeKey", () => {
    const g = grant({ constraints: { encryptionContextEquals: { tenant: "t-1" } } });
    expect(grantAllows(g, use("DescribeKey"))).toBe(true);
    expect(grantAllows(g, use("Encrypt"))).toBe(false);
  });
});

describe("validateGrantRequest", () => {
  it("accepts AWS's operations and de-duplicates them", () => {
    expect(GRANT_OPERATIONS).toContain("GenerateDataKeyWithoutPlaintext");
    expect(GRANT_OPERATIONS).toContain("ReEncryptFrom");
    const ok = validateGrantRequest({
      grantee: "bob",
      operations: ["Encrypt", "Decrypt", "Encrypt"],
      name: "a:b/c_d-e",
    });
    expect(ok.operations).toEqual(["Encrypt", "Decrypt"]);
  });

  const bad: [string, Parameters<typeof validateGrantRequest>[0]][] = [
    ["an unknown operation", { grantee: "bob", operations: ["Encrypt", "DeleteKey"] }],
    ["a lower-case operation", { grantee: "bob", operations: ["encrypt"] }],
    ["no operations", { grantee: "bob", operations: [] }],
    ["an empty grantee", { grantee: "", operations: ["Encrypt"] }],
    ["a bad name", { grantee: "bob", operations: ["Encrypt"], name: "has space" }],
    ["empty constraints", { grantee: "bob", operations: ["Encrypt"], constraints: {} }],
    [
      "an empty constraint map",
      { grantee: "bob", operations: ["Encrypt"], constraints: { encryptionContextSubset: {} } },
    ],
    [
      "a constraint on Sign",
      { grantee: "bob", operations: ["Sign"], constraints: { encryptionContextSubset: { a: "b" } } },
    ],
    [
      "keys differing only in case",
      { grantee: "bob", operations: ["Encrypt"], constraints: { encryptionContextEquals: { a: "1", A: "2" } } },
    ],
  ];
  it.each(bad)("refuses %s with InvalidArgument", (_, request) => {
    expect(codeOf(() => validateGrantRequest(request))).toBe("InvalidArgument");
  });
});

describe("constraintsWithin (CreateGrant under a constrained grant)", () => {
  const subset = { encryptionContextSubset: { tenant: "t-1" } };
  it("accepts equal or stricter constraints and refuses looser ones", () => {
    expect(constraintsWithin(undefined, undefined)).toBe(true);
    expect(constraintsWithin(subset, undefined)).toBe(false);
    expect(constraintsWithin(subset, subset)).toBe(true);
    expect(constraintsWithin(subset, { encryptionContextSubset: { tenant: "t-1", app: "x" } })).toBe(true);
    expect(constraintsWithin(subset, { encryptionContextEquals: { tenant: "t-1", app: "x" } })).toBe(true);
    expect(constraintsWithin(subset, { encryptionContextSubset: { app: "x" } })).toBe(false);
    const equals = { encryptionContextEquals: { tenant: "t-1" } };
    expect(constraintsWithin(equals, equals)).toBe(true);
    expect(constraintsWithin(equals, subset)).toBe(false);
    expect(constraintsWithin(equals, { encryptionContextEquals: { tenant: "t-1", app: "x" } })).toBe(false);
  });
});

describe("grant tokens and ids", () => {
  it("makes well-formed, distinct tokens and refuses malformed ones", () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newGrantToken()));
    expect(tokens.size).toBe(100);
    for (const t of tokens) expect(isWellFormedGrantToken(t)).toBe(true);
    const one = [...tokens][0]!;
    for (const bad of [
      "",
      "kmsgt_",
      one.slice(0, -1),
      `${one}A`,
      one.replace("kmsgt_", "kms_"),
      `${one.slice(0, -1)}=`,
    ]) {
      expect({ bad, ok: isWellFormedGrantToken(bad) }).toEqual({ bad, ok: false });
    }
  });

  it("makes 64-hex grant ids", () => {
    expect(newGrantId()).toMatch(/^[0-9a-f]{64}$/);
  });
});
