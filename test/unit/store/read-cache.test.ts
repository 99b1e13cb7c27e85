import { describe, expect, it } from "vitest";
import { ReadCache } from "../../../src/store/read-cache.js";

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("ReadCache", () => {
  it("serves a hit without loading, and reloads once the TTL (counted from the read's start) has passed", async () => {
    let now = 1_000;
    const cache = new ReadCache(100, 10, () => now);
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.read("k", load)).toBe("v1");
    now = 1_099;
    expect(await cache.read("k", load)).toBe("v1");
    now = 1_100;
    expect(await cache.read("k", load)).toBe("v2");
  });

  it("never caches a miss", async () => {
    const cache = new ReadCache(1_000, 10);
    let loads = 0;
    const load = async () => (++loads > 1 ? "created" : null);
    expect(await cache.read("k", load)).toBeNull();
    expect(await cache.read("k", load)).toBe("created");
  });

  it("drops a value whose read was in flight across a clear (a local write)", async () => {
    const cache = new ReadCache(1_000, 10);
    const slow = deferred<string>();
    const inFlight = cache.read("k", () => slow.promise);
    cache.clear();
    slow.resolve("before the write");
    expect(await inFlight).toBe("before the write");
    expect(await cache.read("k", async () => "after the write")).toBe("after the write");
  });

  it("drops expired entries when it stores a new one, so it holds about one TTL of reads", async () => {
    let now = 1_000;
    const cache = new ReadCache(100, 1_000, () => now);
    for (let i = 0; i < 50; i++) await cache.read(`old${i}`, async () => i);
    expect(cache.size).toBe(50);
    now = 1_060;
    for (let i = 0; i < 10; i++) await cache.read(`mid${i}`, async () => i);
    expect(cache.size).toBe(60);
    now = 1_100;
    await cache.read("new", async () => "n");
    // The 50 read at 1,000 expired at 1,100; the 10 read at 1,060 live on.
    expect(cache.size).toBe(11);
    expect(await cache.read("mid3", async () => "reloaded")).toBe(3);
  });

  it("evicts the oldest entry past its size", async () => {
    const cache = new ReadCache(1_000, 2);
    await cache.read("a", async () => "a1");
    await cache.read("b", async () => "b1");
    await cache.read("c", async () => "c1");
    expect(await cache.read("a", async () => "a2")).toBe("a2");
    expect(await cache.read("c", async () => "c2")).toBe("c1");
  });
});
