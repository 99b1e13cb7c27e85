import type { EncryptionContext } from "../domain/types.js";
import { KmsError } from "../domain/errors.js";

const LONE_SURROGATE = /\p{Cs}/u;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function utf8(s: string): Buffer {
  // UTF-8 maps every lone surrogate to U+FFFD, so two different ill-formed strings would encode
  // to the same bytes; refusing them keeps the encoding injective.
  if (LONE_SURROGATE.test(s)) {
    throw new KmsError("InvalidArgument", "Encryption context keys and values must be well-formed Unicode.");
  }
  return Buffer.from(s, "utf8");
}

/**
 * The canonical byte encoding of an AWS-style encryption context, bound into the AEAD's
 * additional data: `u32be count`, then for each entry sorted by the UTF-8 bytes of its key
 * `u32be len(key) ‖ key ‖ u32be len(value) ‖ value`.
 *
 * Every field is length-prefixed and the order is fixed, so the encoding is injective: no two
 * different maps give the same bytes (`{"a":"bc"}` and `{"ab":"c"}` differ), and the order in
 * which a client listed the entries does not matter, as with AWS KMS.
 *
 * @throws KmsError `InvalidArgument` when a key or value holds a lone UTF-16 surrogate.
 */
export function canonicalContext(ctx: EncryptionContext): Buffer {
  const entries = Object.entries(ctx).map(([k, v]) => [utf8(k), utf8(v)] as const);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [u32(entries.length)];
  for (const [k, v] of entries) {
    parts.push(u32(k.length), k, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/**
 * Joins the pieces of an AEAD's additional data, each prefixed by its u32be length, so that
 * moving bytes from one piece to the next (key id "ab" + version "c" vs "a" + "bc") changes the
 * result. Callers always pass the same number of parts for one purpose, led by a
 * domain-separation label.
 */
export function additionalData(parts: readonly Buffer[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    out.push(u32(p.length), p);
  }
  return Buffer.concat(out);
}
