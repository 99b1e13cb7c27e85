import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { additionalData, canonicalContext } from "../../../src/crypto/encryption-context.js";
import { expectKmsError } from "./helpers.js";

describe("canonicalContext", () => {
  it("encodes a known map byte for byte: count, then sorted length-prefixed entries", () => {
    const hex = canonicalContext({ b: "22", a: "1" }).toString("hex");
    expect(hex).toBe(["00000002", "00000001", "61", "00000001", "31", "00000001", "62", "00000002", "3232"].join(""));
  });

  it("encodes the empty map as a zero count", () => {
    expect(canonicalContext({}).toString("hex")).toBe("00000000");
  });

  it("separates {a: bc} from {ab: c} and from {a: b, c: ''}", () => {
    const a = canonicalContext({ a: "bc" });
    const b = canonicalContext({ ab: "c" });
    const c = canonicalContext({ a: "b", c: "" });
    expect(a.equals(b)).toBe(false);
    expect(a.equals(c)).toBe(false);
    expect(b.equals(c)).toBe(false);
  });

  it("sorts by UTF-8 bytes, not UTF-16 code units", () => {
    // UTF-16 puts U+10000 (D800 DC00) before U+FFFF; UTF-8 puts U+FFFF (EF BF BF) first.
    const bytes = canonicalContext({ "\u{10000}": "x", "\uffff": "y" });
    expect(bytes.subarray(8, 11).toString("hex")).toBe("efbfbf");
  });

  it("refuses lone surrogates, which UTF-8 would fold into U+FFFD", () => {
    expectKmsError(() => canonicalContext({ "\ud800": "x" }), "InvalidArgument");
    expectKmsError(() => canonicalContext({ x: "\udc00" }), "InvalidArgument");
    expect(canonicalContext({ "\u{1f600}": "ok" }).length).toBeGreaterThan(4);
  });

  it("does not depend on insertion order", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), fc.nat(), (dict, seed) => {
        const entries = Object.entries(dict);
        const rotated = entries
          .slice(seed % (entries.length || 1))
          .concat(entries.slice(0, seed % (entries.length || 1)));
        const reversed = Object.fromEntries(rotated.reverse());
        expect(canonicalContext(reversed).equals(canonicalContext(dict))).toBe(true);
      }),
    );
  });

  it("gives different bytes for every different split of the same characters", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 2, maxLength: 12 }), fc.nat(), fc.nat(), (s, i, j) => {
        const a = i % (s.length + 1);
        const b = j % (s.length + 1);
        fc.pre(a !== b);
        const x = canonicalContext({ [s.slice(0, a)]: s.slice(a) });
        const y = canonicalContext({ [s.slice(0, b)]: s.slice(b) });
        expect(x.equals(y)).toBe(false);
      }),
    );
  });

  it("is injective on random maps", () => {
    const dict = fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 });
    fc.assert(
      fc.property(dict, dict, (x, y) => {
        const same = canonicalContext(x).equals(canonicalContext(y));
        const equal =
          Object.keys(x).length === Object.keys(y).length && Object.entries(x).every(([k, v]) => y[k] === v);
        expect(same).toBe(equal);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("additionalData", () => {
  it("length-prefixes every part", () => {
    expect(additionalData([Buffer.from("ab"), Buffer.alloc(0)]).toString("hex")).toBe("00000002616200000000");
  });

  it("moving bytes between parts changes the result", () => {
    const x = additionalData([Buffer.from("ab"), Buffer.from("c")]);
    const y = additionalData([Buffer.from("a"), Buffer.from("bc")]);
    expect(x.equals(y)).toBe(false);
  });
});
