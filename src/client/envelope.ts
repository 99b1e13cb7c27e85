import { Readable, type Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { KmsClient } from "./client.js";
import { createDecryptStream } from "./envelope-decrypt.js";
import { createEncryptStream } from "./envelope-encrypt.js";

/**
 * Envelope encryption on top of the typed client (Node only: `node:crypto`, `node:stream`).
 * The service makes and wraps a data key; the payload is encrypted here, in chunks, so its size
 * is unbounded and it never travels to the service. Format: `docs/envelope-format.md`.
 */
export { createDecryptStream, type DecryptStreamOptions } from "./envelope-decrypt.js";
export { createEncryptStream, type EncryptStreamOptions } from "./envelope-encrypt.js";
export { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE } from "./envelope-format.js";

/**
 * Encrypts `data` into one envelope under `keyId` (a fresh data key from `GenerateDataKey`,
 * bound to `context`). For payloads that fit in memory; use {@link createEncryptStream} for files.
 *
 * @throws KmsClientError from the service (e.g. `NotFoundException`, `DisabledException`).
 */
export async function encryptEnvelope(
  client: KmsClient,
  keyId: string,
  data: Uint8Array,
  context?: Record<string, string>,
): Promise<Uint8Array> {
  return runThrough(await createEncryptStream(client, { keyId, context }), data);
}

/**
 * Opens an envelope made by {@link encryptEnvelope} or {@link createEncryptStream} with the same
 * `context`.
 *
 * @throws KmsClientError with reason `InvalidCiphertextException` for any envelope that cannot be
 * opened — a wrong context, an altered, truncated or extended file — without saying which check
 * failed; other service errors (`AccessDeniedException`, …) as they come.
 */
export async function decryptEnvelope(
  client: KmsClient,
  envelope: Uint8Array,
  context?: Record<string, string>,
): Promise<Uint8Array> {
  return runThrough(createDecryptStream(client, { context }), envelope);
}

async function runThrough(transform: Transform, data: Uint8Array): Promise<Uint8Array> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(data.length === 0 ? [] : [data], { objectMode: false }), transform, async (source) => {
    for await (const chunk of source) out.push(chunk as Buffer);
  });
  return new Uint8Array(Buffer.concat(out));
}
