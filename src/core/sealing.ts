import { sealBlob, sealRaw } from "../crypto/ciphertext.js";
import type { EncryptionContext, KeyRecord } from "../domain/types.js";
import type { CoreDeps } from "./deps.js";
import { versionMaterial } from "./keys/versions.js";
import { requireDecryptable } from "./keys/retired-versions.js";
import { checkAad, checkEncryptionContext } from "./validate.js";

/**
 * Sealing bytes under a symmetric key's version, shared by `Encrypt`/`AdvanceEncrypt`
 * (`crypto-ops/encryption.ts`) and the data-key and data-key-pair operations
 * (`data-keys/data-keys.ts`): the raw form under the initial version, or a self-describing blob
 * under the primary version (formats in `docs/ciphertext-formats.md`).
 */

/** The one `algorithm` value of the raw form, as the Alibaba seed names it. */
export const RAW_ALGORITHM = "AES_GCM";

/** What binds a ciphertext besides its key: raw aad bytes and the encryption context. */
export interface Binding {
  aad: Uint8Array;
  context: EncryptionContext;
}

/** A ciphertext and where it was sealed. */
export interface SealedOutput {
  keyId: string;
  versionId: string;
  ciphertextBlob: Buffer;
  /** The GCM IV; empty for RSA. */
  iv: Buffer;
  algorithm: string;
}

/** Validates a request's binding: aad length and the encryption context's shape. */
export function checkBinding(b: Binding): void {
  checkAad(b.aad);
  checkEncryptionContext(b.context);
}

/**
 * Seals bytes under a symmetric key's initial version in the raw form (salt‖ct‖tag, iv beside);
 * refused once the initial version is retired, since nothing could decrypt the result.
 */
export async function sealUnderInitial(deps: CoreDeps, key: KeyRecord, plaintext: Buffer, binding: Binding) {
  await requireDecryptable(deps, key, key.initialVersionId, false);
  const sealed = sealRaw(await sealParams(deps, key, key.initialVersionId, plaintext, binding));
  return { versionId: key.initialVersionId, ...sealed };
}

/** Seals bytes under a symmetric key's primary version into a self-describing blob. */
export async function sealUnderPrimary(
  deps: CoreDeps,
  key: KeyRecord,
  plaintext: Buffer,
  binding: Binding,
): Promise<SealedOutput> {
  const { ciphertextBlob, iv } = sealBlob(await sealParams(deps, key, key.primaryVersionId, plaintext, binding));
  return { keyId: key.id, versionId: key.primaryVersionId, ciphertextBlob, iv, algorithm: RAW_ALGORITHM };
}

/** What both ciphertext forms seal with: the version's material, the ids and the binding. */
async function sealParams(deps: CoreDeps, key: KeyRecord, versionId: string, plaintext: Buffer, binding: Binding) {
  const material = await versionMaterial(deps, key, versionId);
  return {
    material: material.secret,
    keyId: key.id,
    versionId,
    plaintext,
    aad: Buffer.from(binding.aad),
    context: binding.context,
    random: deps.random,
  };
}
