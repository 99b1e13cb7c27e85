import { openBlob, openRaw, parseBlob } from "../../crypto/ciphertext.js";
import { type RsaEncryptionAlgorithm, rsaDecrypt, rsaEncrypt, rsaMaxPlaintext } from "../../crypto/rsa-encryption.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { invalidCiphertext, KmsError } from "../../domain/errors.js";
import type { KeyAction } from "../access/access.js";
import { authorize, keyFor } from "../access/authorized-key.js";
import { requireUsable } from "../keys/key-rules.js";
import type { EncryptionAlgorithm, KeyRecord } from "../../domain/types.js";
import { RSA_ENCRYPTION_SPECS, SYMMETRIC_SPECS, specRow } from "../../domain/specs.js";
import { checkGrantTokens, checkLength, invalidField } from "../validate.js";
import { versionMaterial } from "../keys/versions.js";
import { requireDecryptable } from "../keys/retired-versions.js";
import {
  type Binding,
  checkBinding,
  RAW_ALGORITHM,
  type SealedOutput,
  sealUnderInitial,
  sealUnderPrimary,
} from "../sealing.js";

const MAX_PLAINTEXT = 4096;

export interface EncryptInput extends Binding {
  keyRef: string;
  plaintext: Uint8Array;
  grantTokens?: readonly string[];
  algorithm?: EncryptionAlgorithm | undefined;
}

export type EncryptOutput = SealedOutput;

function checkEncryptInput(input: EncryptInput): void {
  checkLength("plaintext", input.plaintext, 1, MAX_PLAINTEXT);
  checkBinding(input);
  checkGrantTokens(input.grantTokens ?? []);
}

/**
 * The Alibaba `Encrypt`: the key's initial version, raw form (ciphertext with `iv` and
 * `algorithm` beside it). RSA ENCRYPT_DECRYPT keys encrypt with RSA-OAEP instead.
 */
export async function encrypt(deps: CoreDeps, call: CallContext, input: EncryptInput): Promise<EncryptOutput> {
  checkEncryptInput(input);
  const key = await keyFor(deps, call, input.keyRef, "Encrypt", accessOf(input));
  if (key.usage === "ENCRYPT_DECRYPT" && !SYMMETRIC_SPECS.includes(key.spec)) return encryptRsa(deps, key, input);
  requireSymmetric(key, input.algorithm);
  const sealed = await sealUnderInitial(deps, key, Buffer.from(input.plaintext), input);
  return { keyId: key.id, ...sealed, algorithm: RAW_ALGORITHM };
}

/** AdvanceEncrypt (and the AWS `Encrypt`): the primary version, a self-describing blob. */
export async function advanceEncrypt(deps: CoreDeps, call: CallContext, input: EncryptInput): Promise<EncryptOutput> {
  checkEncryptInput(input);
  const key = await keyFor(deps, call, input.keyRef, "Encrypt", accessOf(input));
  if (key.usage === "ENCRYPT_DECRYPT" && !SYMMETRIC_SPECS.includes(key.spec)) return encryptRsa(deps, key, input);
  requireSymmetric(key, input.algorithm);
  return sealUnderPrimary(deps, key, Buffer.from(input.plaintext), input);
}

function requireSymmetric(key: KeyRecord, algorithm: EncryptionAlgorithm | undefined): void {
  requireUsable(key, "ENCRYPT_DECRYPT", SYMMETRIC_SPECS);
  if (algorithm && algorithm !== "SYMMETRIC_DEFAULT") {
    throw new KmsError("InvalidKeyUsage", `Key '${key.id}' supports only SYMMETRIC_DEFAULT encryption.`);
  }
}

function rsaAlgorithm(key: KeyRecord, algorithm: EncryptionAlgorithm | undefined): RsaEncryptionAlgorithm {
  requireUsable(key, "ENCRYPT_DECRYPT", RSA_ENCRYPTION_SPECS);
  const row = specRow(key.spec);
  const alg = algorithm ?? row.defaultEncryption!;
  if (!row.encryption.includes(alg)) {
    throw new KmsError("InvalidKeyUsage", `Key '${key.id}' supports ${row.encryption.join(" and ")}.`);
  }
  return alg as RsaEncryptionAlgorithm;
}

async function encryptRsa(deps: CoreDeps, key: KeyRecord, input: EncryptInput): Promise<EncryptOutput> {
  const alg = rsaAlgorithm(key, input.algorithm);
  if (input.aad.length > 0 || Object.keys(input.context).length > 0) {
    throw invalidField("encryptionContext", "be empty for asymmetric keys");
  }
  const max = rsaMaxPlaintext(key.spec, alg);
  checkLength("plaintext", input.plaintext, 1, max);
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  const ciphertextBlob = rsaEncrypt(material.publicKey!, alg, Buffer.from(input.plaintext));
  return { keyId: key.id, versionId: key.primaryVersionId, ciphertextBlob, iv: Buffer.alloc(0), algorithm: alg };
}

export interface DecryptInput extends Binding {
  ciphertextBlob: Uint8Array;
  /** Required for the raw form and RSA; with a blob, checked against the blob's key. */
  keyRef?: string | undefined;
  /** Present (non-empty) only for the raw form. */
  iv?: Uint8Array | undefined;
  algorithm?: string | undefined;
  encryptionAlgorithm?: EncryptionAlgorithm | undefined;
  grantTokens?: readonly string[];
}

export interface DecryptOutput {
  keyId: string;
  versionId: string;
  plaintext: Buffer;
}

/**
 * Opens the raw form (when `iv` is given), an RSA ciphertext (when the key is RSA) or a
 * self-describing blob. Every failure to open is `InvalidCiphertext` with one fixed message.
 */
export async function decrypt(deps: CoreDeps, call: CallContext, input: DecryptInput): Promise<DecryptOutput> {
  checkLength("ciphertextBlob", input.ciphertextBlob, 1, 6144);
  checkBinding(input);
  checkGrantTokens(input.grantTokens ?? []);
  const blob = Buffer.from(input.ciphertextBlob);
  if (input.iv && input.iv.length > 0) return decryptRaw(deps, call, input, blob);
  const named = input.keyRef ? await keyFor(deps, call, input.keyRef, "Decrypt", accessOf(input)) : undefined;
  if (named && !SYMMETRIC_SPECS.includes(named.spec) && named.usage === "ENCRYPT_DECRYPT") {
    return openRsa(deps, named, input.encryptionAlgorithm, blob);
  }
  return openSelfDescribing(deps, call, blob, input, named, "Decrypt");
}

/** RSAES-OAEP decryption under an RSA key's (only) version. */
async function openRsa(
  deps: CoreDeps,
  key: KeyRecord,
  algorithm: EncryptionAlgorithm | undefined,
  blob: Buffer,
): Promise<DecryptOutput> {
  const alg = rsaAlgorithm(key, algorithm);
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  return { keyId: key.id, versionId: key.primaryVersionId, plaintext: rsaDecrypt(material.secret, alg, blob) };
}

/** AdvanceDecrypt: self-describing blobs only. */
export function advanceDecrypt(deps: CoreDeps, call: CallContext, input: DecryptInput): Promise<DecryptOutput> {
  return decryptBlob(deps, call, input, "Decrypt");
}

async function decryptBlob(
  deps: CoreDeps,
  call: CallContext,
  input: DecryptInput,
  action: KeyAction,
): Promise<DecryptOutput> {
  checkLength("ciphertextBlob", input.ciphertextBlob, 1, 6144);
  checkBinding(input);
  checkGrantTokens(input.grantTokens ?? []);
  const named = input.keyRef ? await keyFor(deps, call, input.keyRef, action, accessOf(input)) : undefined;
  return openSelfDescribing(deps, call, Buffer.from(input.ciphertextBlob), input, named, action);
}

/** What access checks need from a request: its context (policy conditions, grant constraints) and grant tokens. */
function accessOf(input: Binding & { grantTokens?: readonly string[] | undefined }) {
  return { context: input.context, grantTokens: input.grantTokens };
}

/**
 * The blob names its key and version; a blob whose key no longer exists is indistinguishable
 * from garbage (`InvalidCiphertext`), but a caller-named key that is not the blob's key is
 * `IncorrectKey`, as AWS KMS reports it.
 */
async function openSelfDescribing(
  deps: CoreDeps,
  call: CallContext,
  blob: Buffer,
  binding: Binding & { grantTokens?: readonly string[] | undefined },
  named: KeyRecord | undefined,
  action: KeyAction,
): Promise<DecryptOutput> {
  const parsed = parseBlob(blob);
  if (named && named.id !== parsed.keyId) {
    throw new KmsError("IncorrectKey", "The ciphertext was not encrypted under the key that was named.");
  }
  const key = named ?? (await deps.store.getKey(parsed.keyId));
  if (!key) throw invalidCiphertext();
  if (!named) await authorize(deps, call, key, action, accessOf(binding));
  requireUsable(key, "ENCRYPT_DECRYPT", SYMMETRIC_SPECS);
  await requireDecryptable(deps, key, parsed.versionId, action === "ReEncryptFrom");
  const material = await versionMaterial(deps, key, parsed.versionId).catch((err: unknown) => {
    throw err instanceof KmsError && err.code === "NotFound" ? invalidCiphertext() : err;
  });
  const plaintext = openBlob({
    material: material.secret,
    parsed,
    aad: Buffer.from(binding.aad),
    context: binding.context,
  });
  return { keyId: key.id, versionId: parsed.versionId, plaintext };
}

async function decryptRaw(
  deps: CoreDeps,
  call: CallContext,
  input: DecryptInput,
  blob: Buffer,
): Promise<DecryptOutput> {
  if (!input.keyRef) throw invalidField("keyId", "be given to decrypt a ciphertext with an iv");
  if (input.algorithm && input.algorithm !== RAW_ALGORITHM) {
    throw invalidField("algorithm", `satisfy enum value set: [${RAW_ALGORITHM}]`, input.algorithm);
  }
  const key = await keyFor(deps, call, input.keyRef, "Decrypt", accessOf(input));
  requireUsable(key, "ENCRYPT_DECRYPT", SYMMETRIC_SPECS);
  await requireDecryptable(deps, key, key.initialVersionId, false);
  const material = await versionMaterial(deps, key, key.initialVersionId);
  const plaintext = openRaw({
    material: material.secret,
    keyId: key.id,
    versionId: key.initialVersionId,
    ciphertextBlob: blob,
    iv: Buffer.from(input.iv!),
    aad: Buffer.from(input.aad),
    context: input.context,
  });
  return { keyId: key.id, versionId: key.initialVersionId, plaintext };
}

export interface ReEncryptInput {
  ciphertextBlob: Uint8Array;
  source: Binding;
  sourceKeyRef?: string | undefined;
  destinationKeyRef: string;
  destination: Binding;
  grantTokens?: readonly string[];
  /** An RSAES-OAEP algorithm when the source ciphertext is an RSA key's (then `sourceKeyRef` is required). */
  sourceAlgorithm?: EncryptionAlgorithm | undefined;
  /** The RSAES-OAEP algorithm when the destination key is an RSA key (its default otherwise). */
  destinationAlgorithm?: EncryptionAlgorithm | undefined;
}

/** The source side of ReEncrypt: an RSA ciphertext under a named RSA key, or a self-describing blob. */
async function openReEncryptSource(deps: CoreDeps, call: CallContext, input: ReEncryptInput): Promise<DecryptOutput> {
  const decryptInput = {
    ciphertextBlob: input.ciphertextBlob,
    keyRef: input.sourceKeyRef,
    ...input.source,
    grantTokens: input.grantTokens ?? [],
  };
  if (!input.sourceAlgorithm || input.sourceAlgorithm === "SYMMETRIC_DEFAULT") {
    return decryptBlob(deps, call, decryptInput, "ReEncryptFrom");
  }
  if (!input.sourceKeyRef) throw invalidField("sourceKeyId", "be given to re-encrypt an asymmetric ciphertext");
  checkLength("ciphertextBlob", input.ciphertextBlob, 1, 6144);
  checkGrantTokens(input.grantTokens ?? []);
  const key = await keyFor(deps, call, input.sourceKeyRef, "ReEncryptFrom", accessOf(decryptInput));
  return openRsa(deps, key, input.sourceAlgorithm, Buffer.from(input.ciphertextBlob));
}

/**
 * Decrypts a ciphertext and encrypts its plaintext under another key — the primary version of a
 * symmetric key, or RSAES-OAEP under an RSA key, as AWS KMS allows either way round; the
 * plaintext is zeroed.
 */
export async function reEncrypt(
  deps: CoreDeps,
  call: CallContext,
  input: ReEncryptInput,
): Promise<{ source: DecryptOutput; destination: EncryptOutput }> {
  checkBinding(input.destination);
  const opened = await openReEncryptSource(deps, call, input);
  let destKey: KeyRecord;
  try {
    destKey = await keyFor(deps, call, input.destinationKeyRef, "ReEncryptTo", {
      context: input.destination.context,
      grantTokens: input.grantTokens,
    });
    if (SYMMETRIC_SPECS.includes(destKey.spec)) requireSymmetric(destKey, input.destinationAlgorithm);
  } catch (err) {
    opened.plaintext.fill(0);
    throw err;
  }
  try {
    const destination = SYMMETRIC_SPECS.includes(destKey.spec)
      ? await sealUnderPrimary(deps, destKey, opened.plaintext, input.destination)
      : await encryptRsa(deps, destKey, {
          keyRef: destKey.id,
          plaintext: opened.plaintext,
          ...input.destination,
          algorithm: input.destinationAlgorithm,
        });
    return { source: { ...opened, plaintext: Buffer.alloc(0) }, destination };
  } finally {
    opened.plaintext.fill(0);
  }
}
