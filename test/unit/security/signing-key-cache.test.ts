import { describe, expect, it } from "vitest";
import { SigningKeyCache } from "../../../src/security/signing-key-cache.js";

/** A derive function that counts its calls and returns a distinct key each time. */
function deriver() {
  let calls = 0;
  return {
    calls: () => calls,
    derive: async () => Buffer.alloc(32, ++calls),
  };
}

const scope = "AKIAEXAMPLE/20261207/us-east-1/kms";
const wrapped = Buffer.from("wrapped-secret-one");

describe("SigningKeyCache", () => {
  it("derives once per scope and wrapped secret, then answers from the cache", async () => {
    const cache = new SigningKeyCache();
    const d = deriver();
    const first = await cache.get(scope, wrapped, d.derive);
    const second = await cache.get(scope, Buffer.from(wrapped), d.derive);
    expect(d.calls()).toBe(1);
    expect(second.equals(first)).toBe(true);
    expect(first.equals(Buffer.alloc(32, 1))).toBe(true);
  });

  it("a changed wrapped secret (new secret, root-key rewrap) is a miss and replaces the entry", async () => {
    const cache = new SigningKeyCache();
    const d = deriver();
    await cache.get(scope, wrapped, d.derive);
    const other = await cache.get(scope, Buffer.from("wrapped-secret-two"), d.derive);
    expect(d.calls()).toBe(2);
    expect(other.equals(Buffer.alloc(32, 2))).toBe(true);
    // The first secret's entry is gone: asking with it derives again.
    await cache.get(scope, wrapped, d.derive);
    expect(d.calls()).toBe(3);
  });

  it("another day, region or service of the same key id is a key of its own", async () => {
    const cache = new SigningKeyCache();
    const d = deriver();
    await cache.get(scope, wrapped, d.derive);
    await cache.get("AKIAEXAMPLE/20261208/us-east-1/kms", wrapped, d.derive);
    await cache.get("AKIAEXAMPLE/20261207/eu-west-1/kms", wrapped, d.derive);
    expect(d.calls()).toBe(3);
    await cache.get("AKIAEXAMPLE/20261208/us-east-1/kms", wrapped, d.derive);
    expect(d.calls()).toBe(3);
  });

  it("is bounded: past its size the oldest entry is dropped", async () => {
    const cache = new SigningKeyCache(2);
    const d = deriver();
    await cache.get("a", wrapped, d.derive);
    await cache.get("b", wrapped, d.derive);
    await cache.get("c", wrapped, d.derive);
    expect(d.calls()).toBe(3);
    await cache.get("c", wrapped, d.derive);
    await cache.get("b", wrapped, d.derive);
    expect(d.calls()).toBe(3);
    await cache.get("a", wrapped, d.derive);
    expect(d.calls()).toBe(4);
  });

  it("a failed derivation caches nothing and reaches the caller", async () => {
    const cache = new SigningKeyCache();
    await expect(cache.get(scope, wrapped, async () => Promise.reject(new Error("unwrap failed")))).rejects.toThrow();
    const d = deriver();
    await cache.get(scope, wrapped, d.derive);
    expect(d.calls()).toBe(1);
  });
});
