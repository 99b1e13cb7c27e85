import { createHash } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { KmsClientError } from "./errors.js";

/**
 * The envelope format, version 1 (`docs/envelope-format.md` describes it byte by byte). This
 * module only lays out and parses bytes; `envelope-encrypt.ts` and `envelope-decrypt.ts` do the
 * cryptography. All integers are unsigned big-endian.
 *
 * ```
 * header = "KMSE" ‖ 0x01 ‖ u32 chunk size ‖ nonce prefix (7) ‖ u16 len(wrapped key) ‖ wrapped key
 * chunk i = AES-256-GCM(data key, nonce_i, aad_i, plaintext_i) ‖ tag (16)
 * nonce_i = nonce prefix ‖ u32 i ‖ u8 final        (12 bytes, STREAM: Hoang et al., CRYPTO 2015)
 * aad_i   = SHA-256(header ‖ canonical context) ‖ u32 i ‖ u8 final
 * ```
 */

/** `KMSE`: lets a reader reject a file that is not an envelope before calling the service. */
export const MAGIC = Buffer.from("KMSE", "ascii");
/** The format version this code writes and the only one it reads. */
export const VERSION = 1;
/** Bytes before the wrapped key: magic 4, version 1, chunk size 4, nonce prefix 7, key length 2. */
export const FIXED_HEADER_LENGTH = 18;
/** The random part of every chunk nonce (STREAM's nonce prefix; Tink uses 7 bytes too). */
export const NONCE_PREFIX_LENGTH = 7;
/** GCM tag length (NIST SP 800-38D §5.2.1.2: 128 bits, the full tag). */
export const TAG_LENGTH = 16;
/** The plaintext bytes per chunk when the caller does not choose (64 KiB, as age). */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
/** The largest chunk a reader accepts, so a forged header cannot make it buffer without bound. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** The chunk counter is 32 bits; a file may not have more chunks than it can count. */
export const MAX_CHUNKS = 2 ** 32;
/** Length of the data key that `GenerateDataKey(AES_256)` returns. */
export const DATA_KEY_LENGTH = 32;

/** The parsed fixed part of a header plus the wrapped data key. */
export interface EnvelopeHeader {
  chunkSize: number;
  noncePrefix: Buffer;
  wrappedKey: Buffer;
  /** The header exactly as it appears in the file. */
  bytes: Buffer;
}

/**
 * The one error every failure to open an envelope becomes: a {@link KmsClientError} with code
 * `invalid_argument` and reason `InvalidCiphertextException` — the reason the service gives for
 * any failed decryption, so callers branch on a single value whether the service refused the
 * wrapped key (wrong context, altered key blob) or a chunk failed locally (altered, reordered,
 * truncated or extended data). The message is fixed and never says which check failed.
 */
export function invalidEnvelope(cause?: unknown): KmsClientError {
  return new KmsClientError(
    Code.InvalidArgument,
    "InvalidCiphertextException",
    "The envelope could not be decrypted.",
    cause,
  );
}

/** Encodes a header; `chunkSize` and the wrapped key's length are checked by the caller. */
export function encodeHeader(chunkSize: number, noncePrefix: Uint8Array, wrappedKey: Uint8Array): Buffer {
  const out = Buffer.alloc(FIXED_HEADER_LENGTH + wrappedKey.length);
  MAGIC.copy(out, 0);
  out.writeUInt8(VERSION, 4);
  out.writeUInt32BE(chunkSize, 5);
  out.set(noncePrefix, 9);
  out.writeUInt16BE(wrappedKey.length, 16);
  out.set(wrappedKey, FIXED_HEADER_LENGTH);
  return out;
}

/**
 * Parses a header from the start of `buf`. Returns `undefined` when more bytes are needed, and
 * throws {@link invalidEnvelope} when the bytes cannot be a version-1 header.
 */
export function parseHeader(buf: Buffer): EnvelopeHeader | undefined {
  const seen = Math.min(buf.length, MAGIC.length);
  if (!buf.subarray(0, seen).equals(MAGIC.subarray(0, seen))) throw invalidEnvelope();
  if (buf.length > 4 && buf[4] !== VERSION) throw invalidEnvelope();
  if (buf.length < FIXED_HEADER_LENGTH) return undefined;
  const chunkSize = buf.readUInt32BE(5);
  const keyLength = buf.readUInt16BE(16);
  if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE || keyLength === 0) throw invalidEnvelope();
  const end = FIXED_HEADER_LENGTH + keyLength;
  if (buf.length < end) return undefined;
  const bytes = Buffer.from(buf.subarray(0, end));
  return {
    chunkSize,
    noncePrefix: bytes.subarray(9, 16),
    wrappedKey: bytes.subarray(FIXED_HEADER_LENGTH, end),
    bytes,
  };
}

/**
 * The canonical encoding of an encryption context — the same one the service binds into its
 * ciphertexts (`docs/ciphertext-formats.md`): `u32 count`, then per entry sorted by the UTF-8
 * bytes of its key, `u32 len ‖ key ‖ u32 len ‖ value`. Injective, and independent of the order
 * in which the caller listed the entries. Lone surrogates are refused because UTF-8 would fold
 * them all into U+FFFD.
 */
export function canonicalContext(context: Record<string, string>): Buffer {
  const entries = Object.entries(context).map(([k, v]) => [utf8(k), utf8(v)] as const);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [u32(entries.length)];
  for (const [k, v] of entries) parts.push(u32(k.length), k, u32(v.length), v);
  return Buffer.concat(parts);
}

/** SHA-256 of the header and the canonical context: bound into every chunk's additional data. */
export function headerHash(header: Buffer, context: Record<string, string>): Buffer {
  return createHash("sha256").update(header).update(canonicalContext(context)).digest();
}

/**
 * The nonce of chunk `index`: prefix ‖ u32 index ‖ u8 final. The data key is fresh for every file
 * and the counter never repeats within one, so no (key, nonce) pair is ever used twice — the
 * uniqueness requirement of NIST SP 800-38D §8 ("deterministic construction", §8.2.1).
 */
export function chunkNonce(prefix: Buffer, index: number, final: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_LENGTH);
  nonce.writeUInt8(final ? 1 : 0, 11);
  return nonce;
}

/** The additional data of chunk `index`: header hash ‖ u32 index ‖ u8 final. */
export function chunkAad(hash: Buffer, index: number, final: boolean): Buffer {
  const aad = Buffer.alloc(hash.length + 5);
  hash.copy(aad, 0);
  aad.writeUInt32BE(index, hash.length);
  aad.writeUInt8(final ? 1 : 0, hash.length + 4);
  return aad;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function utf8(s: string): Buffer {
  if (/\p{Cs}/u.test(s)) {
    throw new KmsClientError(
      Code.InvalidArgument,
      "ValidationException",
      "Encryption context keys and values must be well-formed Unicode.",
    );
  }
  return Buffer.from(s, "utf8");
}
