import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateMac, verifyMac } from "../../../src/crypto/mac.js";
import { secureRandom } from "../../../src/crypto/random.js";
import { flip } from "./helpers.js";

describe("HMAC-SHA-256", () => {
  it("matches RFC 4231 test case 2", () => {
    const mac = generateMac(Buffer.from("Jefe"), Buffer.from("what do ya want for nothing?"));
    expect(mac.toString("hex")).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });

  it("matches crypto.createHmac on random inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), (k, m) => {
        const expected = createHmac("sha256", k).update(m).digest();
        expect(generateMac(Buffer.from(k), Buffer.from(m)).equals(expected)).toBe(true);
      }),
    );
  });

  it("verifies its own MAC and refuses a changed, truncated, extended or empty one without throwing", () => {
    const key = secureRandom(32);
    const msg = Buffer.from("message");
    const mac = generateMac(key, msg);
    expect(verifyMac(key, msg, mac)).toBe(true);
    expect(verifyMac(key, Buffer.from("messagf"), mac)).toBe(false);
    expect(verifyMac(secureRandom(32), msg, mac)).toBe(false);
    expect(verifyMac(key, msg, flip(mac, 31, 1))).toBe(false);
    expect(verifyMac(key, msg, mac.subarray(0, 31))).toBe(false);
    expect(verifyMac(key, msg, Buffer.concat([mac, Buffer.of(0)]))).toBe(false);
    expect(verifyMac(key, msg, Buffer.alloc(0))).toBe(false);
  });
});
