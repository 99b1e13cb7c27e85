import { invalidCiphertext } from "../domain/errors.js";
import type { EncryptionContext } from "../domain/types.js";
import { IV_BYTES, open, SALT_BYTES, seal, sealWith, TAG_BYTES } from "./aead.js";
import { additionalData, canonicalContext } from "./encryption-context.js";
import type { RandomSource } from "./random.js";

/**
 * The two ciphertext forms, documented byte by byte in `docs/ciphertext-formats.md`.
 *
 * Both bind into the AEAD's additional data a domain-separation label (so a raw ciphertext can
 * never be accepted as a blob or the reverse), the key id, the key version id, the caller's raw
 * `aad` (Alibaba style) and the canonical encryption context (AWS style).
 */

/** Format byte of the self-describing blob; a new layout takes a new byte. */
export const BLOB_FORMAT_V1 = 0x01;

const RAW_LABEL = Buffer.from("kms/v1 raw", "utf8");
const BLOB_LABEL = Buffer.from("kms/v1 blob", "utf8");
const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

interface Binding {
  aad: Buffer;
  context: EncryptionContext;
}

/** Seal input common to both forms. `material` is the key version's 32-byte secret. */
export interface SealParams extends Binding {
  material: Buffer;
  keyId: string;
  versionId: string;
  plaintext: Buffer;
  random: RandomSource;
}

function rawAad(keyId: string, versionId: string, b: Binding): Buffer {
  return additionalData([
    RAW_LABEL,
    Buffer.from(keyId, "utf8"),
    Buffer.from(versionId, "utf8"),
    b.aad,
    canonicalContext(b.context),
  ]);
}

function blobAad(header: Buffer, b: Binding): Buffer {
  return additionalData([BLOB_LABEL, header, b.aad, canonicalContext(b.context)]);
}

/**
 * Raw form (Alibaba `Encrypt`, `GenerateDataKeyPair*`): `ciphertextBlob = salt(32) ‖ ct ‖ tag(16)`
 * and the 12-byte GCM `iv` beside it, as the seed returns them. The salt rides at the front of the
 * blob so that the per-ciphertext derived key (see `aead.ts`) needs no extra field on the wire.
 */
export function sealRaw(p: SealParams): { ciphertextBlob: Buffer; iv: Buffer } {
  const sealed = seal(p.material, p.plaintext, rawAad(p.keyId, p.versionId, p), p.random);
  return { ciphertextBlob: Buffer.concat([sealed.salt, sealed.ciphertext]), iv: sealed.iv };
}

/** Reverses {@link sealRaw}; any failure at all is `invalidCiphertext()`. */
export function openRaw(
  p: Binding & { material: Buffer; keyId: string; versionId: string; ciphertextBlob: Buffer; iv: Buffer },
): Buffer {
  if (p.iv.length !== IV_BYTES || p.ciphertextBlob.length < SALT_BYTES + TAG_BYTES) {
    throw invalidCiphertext();
  }
  let aad: Buffer;
  try {
    aad = rawAad(p.keyId, p.versionId, p);
  } catch {
    throw invalidCiphertext();
  }
  const salt = p.ciphertextBlob.subarray(0, SALT_BYTES);
  return open(p.material, salt, p.iv, p.ciphertextBlob.subarray(SALT_BYTES), aad);
}

/** A parsed self-describing blob. `header` is the exact bytes authenticated as AAD. */
export interface ParsedBlob {
  keyId: string;
  versionId: string;
  header: Buffer;
  salt: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
}

function encodeId(id: string): Buffer {
  if (!ID_PATTERN.test(id)) {
    throw new Error("key and version ids in a blob must match ^[A-Za-z0-9-]{1,64}$");
  }
  return Buffer.concat([Buffer.of(id.length), Buffer.from(id, "ascii")]);
}

/**
 * Self-describing blob (`GenerateDataKey*`, `AdvanceEncrypt`, `AdvanceGenerateDataKeyPair*`, the
 * AWS endpoint): `0x01 ‖ u8 len ‖ key id ‖ u8 len ‖ version id ‖ salt(32) ‖ iv(12) ‖ ct ‖ tag(16)`.
 * The whole header is authenticated, so rewriting the key id, version, salt or IV fails the tag.
 */
export function sealBlob(p: SealParams): { ciphertextBlob: Buffer; iv: Buffer } {
  const ids = Buffer.concat([Buffer.of(BLOB_FORMAT_V1), encodeId(p.keyId), encodeId(p.versionId)]);
  const salt = p.random(SALT_BYTES);
  const iv = p.random(IV_BYTES);
  const header = Buffer.concat([ids, salt, iv]);
  return {
    ciphertextBlob: Buffer.concat([header, sealWith(p.material, salt, iv, p.plaintext, blobAad(header, p))]),
    iv,
  };
}

/**
 * Parses a blob with an explicit bounds check before every read. Any problem — wrong format
 * byte, a length running past the end, an id outside `^[A-Za-z0-9-]{1,64}$`, too short for a
 * tag — is `invalidCiphertext()`, with no hint which.
 */
export function parseBlob(blob: Buffer): ParsedBlob {
  let at = 0;
  const take = (n: number): Buffer => {
    if (n < 0 || at + n > blob.length) {
      throw invalidCiphertext();
    }
    const out = blob.subarray(at, at + n);
    at += n;
    return out;
  };
  const readId = (): string => {
    const len = take(1)[0]!;
    const id = take(len).toString("latin1");
    if (!ID_PATTERN.test(id)) {
      throw invalidCiphertext();
    }
    return id;
  };
  if (take(1)[0] !== BLOB_FORMAT_V1) {
    throw invalidCiphertext();
  }
  const keyId = readId();
  const versionId = readId();
  const salt = take(SALT_BYTES);
  const iv = take(IV_BYTES);
  const header = blob.subarray(0, at);
  const ciphertext = blob.subarray(at);
  if (ciphertext.length < TAG_BYTES) {
    throw invalidCiphertext();
  }
  return { keyId, versionId, header, salt, iv, ciphertext };
}

/**
 * Opens a parsed blob with the material of the version it names (the caller looks the version
 * up from `parsed.keyId` / `parsed.versionId`). Any failure is `invalidCiphertext()`.
 */
export function openBlob(p: Binding & { material: Buffer; parsed: ParsedBlob }): Buffer {
  let aad: Buffer;
  try {
    aad = blobAad(p.parsed.header, p);
  } catch {
    throw invalidCiphertext();
  }
  return open(p.material, p.parsed.salt, p.parsed.iv, p.parsed.ciphertext, aad);
}
