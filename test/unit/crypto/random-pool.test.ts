import { describe, expect, it } from "vitest";
import { secureRandom } from "../../../src/crypto/random.js";

describe("secureRandom drawn in bulk", () => {
  it("hands out the requested sizes, each its own buffer, never the same bytes twice", () => {
    const seen = new Set<string>();
    // Several pools' worth of 32-byte draws (salts, data keys), across refills.
    for (let i = 0; i < 3 * 2048 + 7; i++) {
      const b = secureRandom(32);
      expect(b.length).toBe(32);
      const hex = b.toString("hex");
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
    for (const size of [1, 12, 4096, 16 * 1024, 16 * 1024 + 1, 100_000]) expect(secureRandom(size).length).toBe(size);
  });

  it("returns buffers the caller owns: zeroing one changes no other draw", () => {
    const a = secureRandom(32);
    const b = secureRandom(32);
    const copy = Buffer.from(b);
    a.fill(0);
    expect(b.equals(copy)).toBe(true);
    expect(a.buffer).not.toBe(b.buffer);
  });

  it("draws bytes that look uniform (a sanity check, not a statistical test)", () => {
    const bytes = Buffer.concat(Array.from({ length: 2048 }, () => secureRandom(64)));
    const counts = new Array<number>(256).fill(0);
    for (const byte of bytes) counts[byte]!++;
    // 131,072 bytes: 512 expected per value; a stuck or zeroed pool would be far off.
    expect(Math.min(...counts)).toBeGreaterThan(350);
    expect(Math.max(...counts)).toBeLessThan(700);
  });
});
