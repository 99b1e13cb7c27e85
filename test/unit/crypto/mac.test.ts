import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAC_ALGORITHMS, type MacAlgorithm, namesOf } from "../../../src/domain/algorithms.js";
import { generateMac, verifyMac } from "../../../src/crypto/mac.js";
import { secureRandom } from "../../../src/crypto/random.js";
import { flip } from "./helpers.js";

/** RFC 4231 §4.3 (test case 2): key "Jefe", data "what do ya want for nothing?". */
const RFC4231_CASE_2: Record<MacAlgorithm, string> = {
  HMAC_SHA_224: "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
  HMAC_SHA_256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  HMAC_SHA_384: "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
  HMAC_SHA_512:
    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
};

describe.each(namesOf(MAC_ALGORITHMS))("%s", (algorithm) => {
  const { hash, bytes } = MAC_ALGORITHMS[algorithm];

  it("matches RFC 4231 test case 2", () => {
    const mac = generateMac(algorithm, Buffer.from("Jefe"), Buffer.from("what do ya want for nothing?"));
    expect(mac.toString("hex")).toBe(RFC4231_CASE_2[algorithm]);
    expect(mac.length).toBe(bytes);
  });

  it("matches crypto.createHmac on random inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 300 }), (k, m) => {
        const expected = createHmac(hash, k).update(m).digest();
        expect(generateMac(algorithm, Buffer.from(k), Buffer.from(m)).equals(expected)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it("verifies its own MAC and refuses a changed, truncated, extended or empty one without throwing", () => {
    const key = secureRandom(bytes);
    const msg = Buffer.from("message");
    const mac = generateMac(algorithm, key, msg);
    expect(verifyMac(algorithm, key, msg, mac)).toBe(true);
    expect(verifyMac(algorithm, key, Buffer.from("messagf"), mac)).toBe(false);
    expect(verifyMac(algorithm, secureRandom(bytes), msg, mac)).toBe(false);
    expect(verifyMac(algorithm, key, msg, flip(mac, bytes - 1, 1))).toBe(false);
    expect(verifyMac(algorithm, key, msg, mac.subarray(0, bytes - 1))).toBe(false);
    expect(verifyMac(algorithm, key, msg, Buffer.concat([mac, Buffer.of(0)]))).toBe(false);
    expect(verifyMac(algorithm, key, msg, Buffer.alloc(0))).toBe(false);
  });
});
