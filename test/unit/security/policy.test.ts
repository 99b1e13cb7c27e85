import { describe, expect, it } from "vitest";
import { defaultKeyPolicy, evaluatePolicy, type Policy, parsePolicy } from "../../../src/security/policy.js";
import { wildcardMatch } from "../../../src/security/wildcard.js";
import { codeOf } from "../../helpers/code-of.js";

function policy(...statements: object[]): Policy {
  return parsePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }));
}

const allow = (extra: object = {}) => ({ Effect: "Allow", Principal: { KMS: "alice" }, Action: "kms:*", ...extra });
const ask = (principal: string, action: string, context: Record<string, string> = {}) => ({
  principal,
  action,
  context,
});

describe("evaluatePolicy", () => {
  it("allows what an Allow covers and implicitly denies everything else", () => {
    const p = policy(allow({ Action: ["kms:Encrypt", "kms:Decrypt"] }));
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt"))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:Decrypt"))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:Sign"))).toBe("implicit-deny");
    expect(evaluatePolicy(p, ask("bob", "kms:Encrypt"))).toBe("implicit-deny");
  });

  it("lets an explicit Deny win over any Allow, in either order", () => {
    const deny = { Effect: "Deny", Principal: "*", Action: "kms:Decrypt" };
    for (const p of [policy(allow(), deny), policy(deny, allow())]) {
      expect(evaluatePolicy(p, ask("alice", "kms:Decrypt"))).toBe("deny");
      expect(evaluatePolicy(p, ask("alice", "kms:Encrypt"))).toBe("allow");
      expect(evaluatePolicy(p, ask("bob", "kms:Decrypt"))).toBe("deny");
      expect(evaluatePolicy(p, ask("bob", "kms:Encrypt"))).toBe("implicit-deny");
    }
  });

  it("matches action wildcards, case-insensitively", () => {
    const p = policy(allow({ Action: "kms:Generate*" }), allow({ Action: "kms:?erify", Principal: { KMS: "bob" } }));
    expect(evaluatePolicy(p, ask("alice", "kms:GenerateDataKey"))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:GenerateDataKeyPairWithoutPlaintext"))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:generatemac"))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt"))).toBe("implicit-deny");
    expect(evaluatePolicy(p, ask("bob", "kms:Verify"))).toBe("allow");
    expect(evaluatePolicy(p, ask("bob", "kms:VerifyMac"))).toBe("implicit-deny");
  });

  it("accepts every principal form: *, KMS and AWS names, lists, and a * inside a list", () => {
    const p = policy(
      allow({ Principal: "*", Action: "kms:DescribeKey" }),
      allow({ Principal: { KMS: ["bob", "carol"] }, Action: "kms:Encrypt" }),
      allow({ Principal: { AWS: "dave" }, Action: "kms:Decrypt" }),
      allow({ Principal: { AWS: ["*"] }, Action: "kms:GetPublicKey" }),
    );
    expect(evaluatePolicy(p, ask("zed", "kms:DescribeKey"))).toBe("allow");
    expect(evaluatePolicy(p, ask("carol", "kms:Encrypt"))).toBe("allow");
    expect(evaluatePolicy(p, ask("dave", "kms:Encrypt"))).toBe("implicit-deny");
    expect(evaluatePolicy(p, ask("dave", "kms:Decrypt"))).toBe("allow");
    expect(evaluatePolicy(p, ask("zed", "kms:GetPublicKey"))).toBe("allow");
    expect(evaluatePolicy(p, ask("Carol", "kms:Encrypt"))).toBe("implicit-deny");
  });

  it("applies StringEquals on an encryption-context key (key case-insensitive, value case-sensitive)", () => {
    const p = policy(allow({ Condition: { StringEquals: { "kms:EncryptionContext:Tenant": ["t-1", "t-2"] } } }));
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { Tenant: "t-1" }))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { tenant: "t-2", other: "x" }))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { Tenant: "T-1" }))).toBe("implicit-deny");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { other: "t-1" }))).toBe("implicit-deny");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt"))).toBe("implicit-deny");
    // Two keys differing in case: an Allow needs both to match.
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { Tenant: "t-1", tenant: "evil" }))).toBe("implicit-deny");
  });

  it("applies StringLike with wildcards, and a conditional Deny only when its condition holds", () => {
    const p = policy(allow({ Condition: { StringLike: { "kms:EncryptionContext:path": "/data/*" } } }), {
      Effect: "Deny",
      Principal: "*",
      Action: "kms:*",
      Condition: { StringLike: { "kms:EncryptionContext:path": "/data/secret*" } },
    });
    expect(evaluatePolicy(p, ask("alice", "kms:Decrypt", { path: "/data/a/b" }))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:Decrypt", { path: "/data/secret/x" }))).toBe("deny");
    expect(evaluatePolicy(p, ask("alice", "kms:Decrypt", { path: "/other" }))).toBe("implicit-deny");
    // A Deny applies if any case variant matches.
    expect(evaluatePolicy(p, ask("alice", "kms:Decrypt", { path: "/data/a", PATH: "/data/secret" }))).toBe("deny");
  });

  it("applies ForAllValues:StringEquals on kms:EncryptionContextKeys (true for an empty context)", () => {
    const p = policy(
      allow({ Condition: { "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["a", "b"] } } }),
    );
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { a: "1" }))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { a: "1", b: "2" }))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { a: "1", c: "3" }))).toBe("implicit-deny");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { A: "1" }))).toBe("implicit-deny");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt"))).toBe("allow");
  });

  it("requires every condition of a statement to hold", () => {
    const p = policy(
      allow({
        Condition: {
          StringEquals: { "kms:EncryptionContext:a": "1", "kms:EncryptionContext:b": "2" },
          StringLike: { "kms:EncryptionContext:c": "x*" },
        },
      }),
    );
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { a: "1", b: "2", c: "xyz" }))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { a: "1", b: "2", c: "yz" }))).toBe("implicit-deny");
    expect(evaluatePolicy(p, ask("alice", "kms:Encrypt", { a: "1", c: "xyz" }))).toBe("implicit-deny");
  });

  it("gives the creator full access by default, and nobody else", () => {
    const p = parsePolicy(defaultKeyPolicy("alice"));
    expect(evaluatePolicy(p, ask("alice", "kms:ScheduleKeyDeletion"))).toBe("allow");
    expect(evaluatePolicy(p, ask("alice", "kms:PutKeyPolicy"))).toBe("allow");
    expect(evaluatePolicy(p, ask("bob", "kms:Encrypt"))).toBe("implicit-deny");
  });
});

describe("parsePolicy", () => {
  it("accepts a single statement object and a missing Version, and keeps Sid", () => {
    const p = parsePolicy(JSON.stringify({ Id: "x", Statement: { Sid: "one", ...allow() } }));
    expect(p.version).toBe("2012-10-17");
    expect(p.statements).toEqual([
      { sid: "one", effect: "Allow", principals: ["alice"], actions: ["kms:*"], conditions: [] },
    ]);
  });

  const malformed: [string, string][] = [
    ["not JSON", "{"],
    ["not an object", "[]"],
    ["unknown top-level element", JSON.stringify({ Statement: [allow()], Extra: 1 })],
    ["unknown version", JSON.stringify({ Version: "2020-01-01", Statement: [allow()] })],
    ["no statements", JSON.stringify({ Version: "2012-10-17", Statement: [] })],
    ["statement not an object", JSON.stringify({ Statement: ["x"] })],
    ["unknown Effect", JSON.stringify({ Statement: [allow({ Effect: "Maybe" })] })],
    ["lower-case effect", JSON.stringify({ Statement: [allow({ Effect: "allow" })] })],
    ["missing Principal", JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kms:*" }] })],
    ["missing Action", JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*" }] })],
    ["non-kms action", JSON.stringify({ Statement: [allow({ Action: "s3:GetObject" })] })],
    ["empty action list", JSON.stringify({ Statement: [allow({ Action: [] })] })],
    ["principal type", JSON.stringify({ Statement: [allow({ Principal: { Service: "x" } })] })],
    ["principal string", JSON.stringify({ Statement: [allow({ Principal: "alice" })] })],
    ["NotAction", JSON.stringify({ Statement: [allow({ NotAction: "kms:Decrypt" })] })],
    ["specific Resource", JSON.stringify({ Statement: [allow({ Resource: "arn:aws:kms:x" })] })],
    ["unknown operator", JSON.stringify({ Statement: [allow({ Condition: { StringNotEquals: { a: "b" } } })] })],
    [
      "unknown condition key",
      JSON.stringify({ Statement: [allow({ Condition: { StringEquals: { "aws:username": "x" } } })] }),
    ],
    [
      "empty context key",
      JSON.stringify({ Statement: [allow({ Condition: { StringEquals: { "kms:EncryptionContext:": "x" } } })] }),
    ],
    [
      "ForAllValues on a value key",
      JSON.stringify({
        Statement: [allow({ Condition: { "ForAllValues:StringEquals": { "kms:EncryptionContext:a": "x" } } })],
      }),
    ],
    [
      "condition value not a string",
      JSON.stringify({ Statement: [allow({ Condition: { StringEquals: { "kms:EncryptionContext:a": 1 } } })] }),
    ],
    ["larger than 32 KiB", JSON.stringify({ Statement: [allow({ Sid: "x".repeat(33 * 1024) })] })],
  ];
  it.each(malformed)("refuses %s with InvalidArgument", (_, json) => {
    expect(codeOf(() => parsePolicy(json))).toBe("InvalidArgument");
  });

  it("accepts a document of exactly 32 KiB", () => {
    const base = JSON.stringify({ Statement: [allow({ Sid: "" })] });
    const json = JSON.stringify({ Statement: [allow({ Sid: "x".repeat(32 * 1024 - base.length) })] });
    expect(Buffer.byteLength(json)).toBe(32 * 1024);
    expect(() => parsePolicy(json)).not.toThrow();
  });
});

describe("wildcardMatch", () => {
  it("matches * and ? and nothing else specially", () => {
    expect(wildcardMatch("a*c", "abbbc")).toBe(true);
    expect(wildcardMatch("a*c", "ac")).toBe(true);
    expect(wildcardMatch("a*c", "acb")).toBe(false);
    expect(wildcardMatch("a?c", "abc")).toBe(true);
    expect(wildcardMatch("a?c", "ac")).toBe(false);
    expect(wildcardMatch("*", "")).toBe(true);
    expect(wildcardMatch("a.c", "abc")).toBe(false);
    expect(wildcardMatch("*a*a*a*b", "a".repeat(5000))).toBe(false);
  });
});
