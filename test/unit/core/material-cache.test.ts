import { describe, expect, it } from "vitest";
import { MaterialCache } from "../../../src/core/keys/material-cache.js";

/** A buffer that is a slice of Node's shared allocation pool, as Buffer.concat returns for small sizes. */
function pooled(bytes: number[]): Buffer {
  const slice = Buffer.concat([Buffer.from(bytes)]);
  expect(slice.buffer.byteLength).toBeGreaterThan(slice.length);
  return slice;
}

describe("MaterialCache", () => {
  it("keeps copies in memory of their own, and zeroes the secret it was given", () => {
    const cache = new MaterialCache(60_000, 10);
    const secret = pooled([1, 2, 3, 4]);
    const publicKey = pooled([9, 8, 7]);
    const used = cache.set("k", "v1", { secret, publicKey });

    expect(used.secret).toEqual(Buffer.from([1, 2, 3, 4]));
    expect(used.secret.buffer.byteLength).toBe(4);
    expect(used.publicKey).toEqual(Buffer.from([9, 8, 7]));
    expect(used.publicKey?.buffer.byteLength).toBe(3);
    expect(secret).toEqual(Buffer.alloc(4));
    expect(cache.get("k", "v1")).toBe(used);
  });

  it("zeroes a secret when its key is invalidated, and on expiry", () => {
    let now = 0;
    const cache = new MaterialCache(1000, 10, () => now);
    const a = cache.set("k", "v1", { secret: Buffer.from([5, 5]), publicKey: null });
    const b = cache.set("other", "v1", { secret: Buffer.from([6, 6]), publicKey: null });
    cache.invalidate("k");
    expect(a.secret).toEqual(Buffer.alloc(2));
    expect(cache.get("k", "v1")).toBeUndefined();
    expect(cache.get("other", "v1")).toBe(b);
    now = 1000;
    expect(cache.get("other", "v1")).toBeUndefined();
    expect(b.secret).toEqual(Buffer.alloc(2));
  });

  it("evicts the oldest entry when full", () => {
    const cache = new MaterialCache(60_000, 2);
    const first = cache.set("a", "v", { secret: Buffer.from([1]), publicKey: null });
    cache.set("b", "v", { secret: Buffer.from([2]), publicKey: null });
    cache.set("c", "v", { secret: Buffer.from([3]), publicKey: null });
    expect(cache.get("a", "v")).toBeUndefined();
    expect(first.secret).toEqual(Buffer.alloc(1));
    expect(cache.get("c", "v")?.secret).toEqual(Buffer.from([3]));
  });

  it("hands the material back untouched when caching is off", () => {
    const cache = new MaterialCache(0, 10);
    const material = { secret: Buffer.from([7]), publicKey: null };
    expect(cache.set("k", "v", material)).toBe(material);
    expect(material.secret).toEqual(Buffer.from([7]));
    expect(cache.get("k", "v")).toBeUndefined();
  });
});
