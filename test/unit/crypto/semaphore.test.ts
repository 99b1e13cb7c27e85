import { describe, expect, it } from "vitest";
import { Semaphore } from "../../../src/crypto/pool/semaphore.js";

describe("Semaphore", () => {
  it("hands out exactly `permits` permits, then null at once", () => {
    const s = new Semaphore(2);
    const a = s.tryAcquire();
    const b = s.tryAcquire();
    expect(a).toBeTypeOf("function");
    expect(b).toBeTypeOf("function");
    expect(s.available).toBe(0);
    expect(s.tryAcquire()).toBeNull();
    a!();
    expect(s.available).toBe(1);
    expect(s.tryAcquire()).toBeTypeOf("function");
    expect(s.tryAcquire()).toBeNull();
  });

  it("release is idempotent: calling it twice frees one permit", () => {
    const s = new Semaphore(1);
    const release = s.tryAcquire()!;
    release();
    release();
    expect(s.available).toBe(1);
    expect(s.tryAcquire()).not.toBeNull();
    expect(s.tryAcquire()).toBeNull();
  });

  it("refuses non-positive or fractional permit counts", () => {
    expect(() => new Semaphore(0)).toThrow();
    expect(() => new Semaphore(1.5)).toThrow();
    expect(new Semaphore(3).available).toBe(3);
  });
});
