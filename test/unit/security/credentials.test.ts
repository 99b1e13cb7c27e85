import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { constantTimeEqual, hashToken, newAccessKeyPair, newBearerToken } from "../../../src/security/credentials.js";

/** A deterministic random source: bytes 0, 1, 2, … */
const counting = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => i));

describe("credentials", () => {
  it("makes kms_-prefixed bearer tokens from 32 random bytes, all different", () => {
    expect(newBearerToken(counting)).toBe(`kms_${counting(32).toString("base64url")}`);
    const tokens = new Set(Array.from({ length: 200 }, () => newBearerToken()));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^kms_[A-Za-z0-9_-]{43}$/);
  });

  it("hashes tokens to hex SHA-256", () => {
    expect(hashToken("kms_abc")).toBe(createHash("sha256").update("kms_abc").digest("hex"));
    expect(hashToken("kms_abc")).not.toBe(hashToken("kms_abd"));
    expect(hashToken("ключ")).toBe(createHash("sha256").update(Buffer.from("ключ", "utf8")).digest("hex"));
  });

  it("makes AWS-shaped access key pairs", () => {
    for (let i = 0; i < 100; i++) {
      const { accessKeyId, secretAccessKey } = newAccessKeyPair();
      expect(accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    }
    // Base32 of 00 01 02 … 09 (RFC 4648): AAAQEAYEAUDAOCAJ.
    expect(newAccessKeyPair(counting).accessKeyId).toBe("AKIAAAAQEAYEAUDAOCAJ");
    const ids = new Set(Array.from({ length: 200 }, () => newAccessKeyPair().accessKeyId));
    expect(ids.size).toBe(200);
  });

  it("compares strings of any lengths in constant time", () => {
    expect(constantTimeEqual("s3cret", "s3cret")).toBe(true);
    expect(constantTimeEqual("s3cret", "s3creT")).toBe(false);
    expect(constantTimeEqual("s3cret", "s3cret-longer")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("", "x")).toBe(false);
  });
});
