import { createCipheriv, randomBytes } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { Code } from "@connectrpc/connect";
import { DataKeySpec } from "../../gen/kms/v1/types_pb.js";
import type { KmsClient } from "./client.js";
import { ByteQueue } from "./envelope-bytes.js";
import {
  canonicalContext,
  chunkAad,
  chunkNonce,
  DATA_KEY_LENGTH,
  DEFAULT_CHUNK_SIZE,
  encodeHeader,
  headerHash,
  MAX_CHUNK_SIZE,
  MAX_CHUNKS,
  NONCE_PREFIX_LENGTH,
  TAG_LENGTH,
} from "./envelope-format.js";
import { KmsClientError, toKmsClientError } from "./errors.js";

/** Options of {@link createEncryptStream}. */
export interface EncryptStreamOptions {
  /** Key id, key ARN, alias name or alias ARN of a symmetric ENCRYPT_DECRYPT key. */
  keyId: string;
  /**
   * The encryption context: the service binds it to the wrapped data key (it unwraps only with
   * the same map) and the envelope binds it into every chunk. Not stored in the file — the
   * reader must supply it again. Never put secrets in it; it shows up in grants and policies.
   */
  context?: Record<string, string> | undefined;
  /** Plaintext bytes per chunk, 1..16 MiB (default 64 KiB). Memory use is about two chunks. */
  chunkSize?: number | undefined;
}

/**
 * Starts an envelope encryption: asks the service for a fresh 256-bit data key
 * (`GenerateDataKey`, bound to `context`), then returns a Transform that turns plaintext bytes
 * into a version-1 envelope (`docs/envelope-format.md`) in bounded memory, whatever the input size.
 *
 * Each chunk is AES-256-GCM under the data key with the nonce `prefix ‖ counter ‖ final` and
 * additional data `SHA-256(header ‖ context) ‖ counter ‖ final` — the STREAM construction of
 * Hoang, Reyhanitabar, Rogaway and Vizár ("Online Authenticated-Encryption and its
 * Nonce-Reuse Misuse-Resistance", CRYPTO 2015), as in Tink's streaming AEAD and age — so a
 * reader detects altered, reordered, duplicated, dropped and appended chunks. The data key is
 * new for every file and the counter never repeats, so no nonce is used twice under one key
 * (NIST SP 800-38D §8).
 *
 * The data key is zeroed (`fill(0)`) when the stream finishes or is destroyed and is never
 * logged or put into an error.
 *
 * @throws KmsClientError from `GenerateDataKey` (e.g. `NotFoundException`, `DisabledException`).
 */
export async function createEncryptStream(client: KmsClient, opts: EncryptStreamOptions): Promise<Transform> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new KmsClientError(Code.InvalidArgument, "ValidationException", `chunkSize must be 1..${MAX_CHUNK_SIZE}.`);
  }
  const context = opts.context ?? {};
  canonicalContext(context);
  let key: Uint8Array;
  let wrapped: Uint8Array;
  try {
    const res = await client.dataKeys.generateDataKey({
      keyId: opts.keyId,
      keySpec: DataKeySpec.AES_256,
      encryptionContext: context,
    });
    key = res.plaintext;
    wrapped = res.ciphertextBlob;
  } catch (err) {
    throw toKmsClientError(err);
  }
  if (key.length !== DATA_KEY_LENGTH || wrapped.length === 0 || wrapped.length > 0xffff) {
    key.fill(0);
    throw new KmsClientError(Code.Internal, "KMSInternalException", "The service returned an unusable data key.");
  }
  const header = encodeHeader(chunkSize, randomBytes(NONCE_PREFIX_LENGTH), wrapped);
  return new EnvelopeEncryptor(key, header, headerHash(header, context), chunkSize);
}

class EnvelopeEncryptor extends Transform {
  private readonly queue = new ByteQueue();
  private readonly noncePrefix: Buffer;
  private index = 0;
  private headerSent = false;

  constructor(
    private readonly key: Uint8Array,
    private readonly header: Buffer,
    private readonly hash: Buffer,
    private readonly chunkSize: number,
  ) {
    super();
    this.noncePrefix = header.subarray(9, 9 + NONCE_PREFIX_LENGTH);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.sendHeader();
      this.queue.push(chunk);
      // Keep at least one byte back: only end-of-input decides which chunk is the final one.
      while (this.queue.length > this.chunkSize) this.push(this.seal(this.queue.take(this.chunkSize), false));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.sendHeader();
      this.push(this.seal(this.queue.takeAll(), true));
      this.key.fill(0);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.key.fill(0);
    callback(err);
  }

  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(this.header);
  }

  private seal(plaintext: Buffer, final: boolean): Buffer {
    if (this.index >= MAX_CHUNKS) {
      throw new KmsClientError(Code.InvalidArgument, "ValidationException", "The input is too large for one envelope.");
    }
    const cipher = createCipheriv("aes-256-gcm", this.key, chunkNonce(this.noncePrefix, this.index, final), {
      authTagLength: TAG_LENGTH,
    });
    cipher.setAAD(chunkAad(this.hash, this.index, final));
    const body = cipher.update(plaintext);
    const rest = cipher.final();
    this.index++;
    return Buffer.concat([body, rest, cipher.getAuthTag()]);
  }
}
