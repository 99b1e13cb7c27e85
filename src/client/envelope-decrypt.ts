import { createDecipheriv } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import type { KmsClient } from "./client.js";
import { ByteQueue } from "./envelope-bytes.js";
import {
  canonicalContext,
  chunkAad,
  chunkNonce,
  DATA_KEY_LENGTH,
  type EnvelopeHeader,
  headerHash,
  invalidEnvelope,
  MAX_CHUNKS,
  parseHeader,
  TAG_LENGTH,
} from "./envelope-format.js";
import { toKmsClientError } from "./errors.js";

/** Options of {@link createDecryptStream}. */
export interface DecryptStreamOptions {
  /** The encryption context the envelope was made with (the same map; order does not matter). */
  context?: Record<string, string> | undefined;
}

/**
 * Reasons with which the service refuses to unwrap the data key because of the envelope itself.
 * `ValidationException` belongs here too: the context passed its validation when the envelope
 * was made (`GenerateDataKey` checks it the same way), so only an altered wrapped key — say, a
 * length field rewritten to exceed the service's blob limit — can draw it now.
 */
const REFUSED_WRAPPED_KEY = new Set(["InvalidCiphertextException", "IncorrectKeyException", "ValidationException"]);

/**
 * Returns a Transform that turns a version-1 envelope (`docs/envelope-format.md`) back into its
 * plaintext in bounded memory. The wrapped data key is unwrapped by the service's `Decrypt` with
 * `context`, so a wrong context is refused by the service before any chunk is read.
 *
 * A chunk's plaintext is released only after its GCM tag has verified (NIST SP 800-38D §7.2:
 * nothing of an unauthenticated ciphertext is returned). Because the chunks carry their index
 * and a final flag in both nonce and additional data (STREAM, Hoang et al., CRYPTO 2015), a
 * reordered, duplicated, dropped or extended chunk fails its tag, and a file cut short fails at
 * its end — so the output is complete and authentic only when the stream ends without an error.
 * Consumers that write to a file should do so under a temporary name and rename on success.
 *
 * Every failure to open the envelope is one error: a {@link KmsClientError} with reason
 * `InvalidCiphertextException` and a fixed message that does not say which check failed.
 * Other service errors (`AccessDeniedException`, `DisabledException`, `unavailable`) pass through.
 * The data key is zeroed when the stream finishes or is destroyed.
 */
export function createDecryptStream(client: KmsClient, opts: DecryptStreamOptions = {}): Transform {
  const context = opts.context ?? {};
  canonicalContext(context);
  return new EnvelopeDecryptor(client, context);
}

class EnvelopeDecryptor extends Transform {
  private head: Buffer = Buffer.alloc(0);
  private header: EnvelopeHeader | undefined;
  private hash: Buffer | undefined;
  private key: Uint8Array | undefined;
  private readonly queue = new ByteQueue();
  private index = 0;

  constructor(
    private readonly client: KmsClient,
    private readonly context: Record<string, string>,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.accept(chunk).then(
      () => callback(),
      (err: unknown) => callback(err as Error),
    );
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.key === undefined || this.header === undefined) throw invalidEnvelope();
      const last = this.queue.length;
      if (last < TAG_LENGTH || last > this.header.chunkSize + TAG_LENGTH) throw invalidEnvelope();
      this.push(this.open(this.queue.takeAll(), true));
      this.zeroKey();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.zeroKey();
    callback(err);
  }

  private async accept(chunk: Buffer): Promise<void> {
    if (this.key === undefined) {
      this.head = Buffer.concat([this.head, chunk]);
      const header = parseHeader(this.head);
      if (header === undefined) return;
      const rest = this.head.subarray(header.bytes.length);
      this.head = Buffer.alloc(0);
      this.header = header;
      this.hash = headerHash(header.bytes, this.context);
      this.key = await this.unwrap(header.wrappedKey);
      this.queue.push(rest);
    } else {
      this.queue.push(chunk);
    }
    const whole = this.header!.chunkSize + TAG_LENGTH;
    // A chunk is known not to be the final one only once a byte after it has arrived.
    while (this.queue.length > whole) this.push(this.open(this.queue.take(whole), false));
  }

  private async unwrap(wrappedKey: Buffer): Promise<Uint8Array> {
    let key: Uint8Array;
    try {
      ({ plaintext: key } = await this.client.crypto.decrypt({
        ciphertextBlob: wrappedKey,
        encryptionContext: this.context,
      }));
    } catch (err) {
      const e = toKmsClientError(err);
      throw e.reason !== undefined && REFUSED_WRAPPED_KEY.has(e.reason) ? invalidEnvelope() : e;
    }
    if (key.length !== DATA_KEY_LENGTH) {
      key.fill(0);
      throw invalidEnvelope();
    }
    if (this.destroyed) {
      key.fill(0);
      throw invalidEnvelope();
    }
    return key;
  }

  /** Verifies and decrypts one chunk; returns nothing of it unless the tag verifies. */
  private open(sealed: Buffer, final: boolean): Buffer {
    if (this.index >= MAX_CHUNKS) throw invalidEnvelope();
    const bodyLength = sealed.length - TAG_LENGTH;
    const decipher = createDecipheriv(
      "aes-256-gcm",
      this.key!,
      chunkNonce(this.header!.noncePrefix, this.index, final),
      { authTagLength: TAG_LENGTH },
    );
    decipher.setAAD(chunkAad(this.hash!, this.index, final));
    decipher.setAuthTag(sealed.subarray(bodyLength));
    const body = decipher.update(sealed.subarray(0, bodyLength));
    try {
      const rest = decipher.final();
      this.index++;
      return rest.length === 0 ? body : Buffer.concat([body, rest]);
    } catch {
      body.fill(0);
      throw invalidEnvelope();
    }
  }

  private zeroKey(): void {
    this.key?.fill(0);
  }
}
