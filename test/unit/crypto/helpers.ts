import { expect } from "vitest";
import { KmsError, type KmsCode } from "../../../src/domain/errors.js";

/** Runs `fn` and returns what it threw; fails the test if it returned normally. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  expect.fail("expected a throw");
}

/** Asserts `fn` throws a KmsError with exactly `code` (never the message text). */
export function expectKmsError(fn: () => unknown, code: KmsCode): void {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(KmsError);
  expect((err as KmsError).code).toBe(code);
}

/** A copy of `buf` with byte `index` XORed with `mask` (1..255, so the byte always changes). */
export function flip(buf: Buffer, index: number, mask: number): Buffer {
  const out = Buffer.from(buf);
  out[index] = out[index]! ^ mask;
  return out;
}
