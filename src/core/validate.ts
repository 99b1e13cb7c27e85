import { KmsError } from "../domain/errors.js";
import type { EncryptionContext } from "../domain/types.js";

/**
 * Validation errors worded as AWS KMS words them (`1 validation error detected: Value '1025' at
 * 'numberOfBytes' failed to satisfy constraint: …`), so that clients written against AWS read
 * the same text. Field names are AWS member names in camelCase. Secret inputs (plaintext,
 * messages, aad) are never echoed: pass no `value` for them.
 */
export function invalidField(field: string, constraint: string, value?: string | number): KmsError {
  const shown = value === undefined ? "Value" : `Value '${String(value).slice(0, 128)}'`;
  return new KmsError(
    "InvalidArgument",
    `1 validation error detected: ${shown} at '${field}' failed to satisfy constraint: Member must ${constraint}`,
  );
}

/** Checks an integer lies in [min, max]. */
export function checkRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value)) throw invalidField(field, "be an integer", value);
  if (value < min) throw invalidField(field, `have value greater than or equal to ${min}`, value);
  if (value > max) throw invalidField(field, `have value less than or equal to ${max}`, value);
}

/** Checks a string's or buffer's length lies in [min, max]; never echoes the value. */
export function checkLength(field: string, value: { length: number }, min: number, max: number): void {
  if (value.length < min) throw invalidField(field, `have length greater than or equal to ${min}`);
  if (value.length > max) throw invalidField(field, `have length less than or equal to ${max}`);
}

/** Raw aad (Alibaba style): at most 8192 bytes. */
export function checkAad(aad: Uint8Array, field = "aad"): void {
  checkLength(field, aad, 0, 8192);
}

/** Encryption context: at most 64 pairs, keys 1..2048 characters, all of it under 8 KiB. */
export function checkEncryptionContext(ctx: EncryptionContext, field = "encryptionContext"): void {
  const entries = Object.entries(ctx);
  if (entries.length > 64) throw invalidField(field, "have at most 64 entries");
  let total = 0;
  for (const [k, v] of entries) {
    if (k.length === 0) throw invalidField(field, "have keys of length greater than or equal to 1");
    // protobuf-es decodes maps into plain objects, where a `__proto__` entry vanishes before any
    // code sees it (bufbuild/protobuf-es#1451): such a key could never be bound on the gRPC wire,
    // so it is refused wherever it is visible (the AWS JSON endpoint) rather than bound there only.
    if (k === "__proto__") throw invalidField(field, "not use the key __proto__");
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > 8192) throw invalidField(field, "have a total size less than or equal to 8192 bytes");
}

/** Grant tokens: at most 10, each 1..8192 characters; whether each names a grant is `access/key-access.ts`'s check. */
export function checkGrantTokens(tokens: readonly string[]): void {
  if (tokens.length > 10) throw invalidField("grantTokens", "have length less than or equal to 10");
  for (const t of tokens) {
    if (t.length < 1 || t.length > 8192) {
      throw new KmsError("InvalidGrantToken", "A grant token is malformed.");
    }
  }
}

/** Page size 1..1000; 0 or absent means 100. */
export function pageSize(value: number | undefined, field = "limit"): number {
  if (value === undefined || value === 0) return 100;
  checkRange(field, value, 1, 1000);
  return value;
}
