import {
  decapsulate as kemDecapsulate,
  encapsulate as kemEncapsulate,
  requireSpecAvailable,
} from "../../crypto/post-quantum.js";
import type { CallContext, CoreDeps } from "../deps.js";
import type { KeyAction } from "../access/access.js";
import { keyFor } from "../access/authorized-key.js";
import { requireUsable } from "../keys/key-rules.js";
import { KmsError } from "../../domain/errors.js";
import { specRow } from "../../domain/specs.js";
import type { EncapsulationAlgorithm, KeyRecord } from "../../domain/types.js";
import { checkGrantTokens } from "../validate.js";
import { versionMaterial } from "../keys/versions.js";

/** The shared secret ML-KEM agrees on: 32 bytes for every parameter set (FIPS 203 §8). */
export const SHARED_SECRET_BYTES = 32;

export interface EncapsulateInput {
  keyRef: string;
  /** Absent means ML_KEM, the only mechanism (kms.v1 leaves it unset; AWS requires it). */
  algorithm?: EncapsulationAlgorithm | undefined;
  grantTokens?: readonly string[] | undefined;
}

export interface EncapsulateOutput {
  keyId: string;
  versionId: string;
  sharedSecret: Buffer;
  ciphertext: Buffer;
  algorithm: EncapsulationAlgorithm;
}

/** Resolves, authorizes and checks an ENCAPSULATE_DECAPSULATE key and the algorithm asked for. */
async function kemKey(
  deps: CoreDeps,
  call: CallContext,
  action: KeyAction,
  input: EncapsulateInput,
): Promise<{ key: KeyRecord; algorithm: EncapsulationAlgorithm }> {
  checkGrantTokens(input.grantTokens ?? []);
  const key = await keyFor(deps, call, input.keyRef, action, { grantTokens: input.grantTokens });
  requireUsable(key, "ENCAPSULATE_DECAPSULATE");
  const valid = specRow(key.spec).encapsulation?.algorithms ?? [];
  const algorithm = input.algorithm ?? "ML_KEM";
  if (!valid.includes(algorithm)) {
    throw new KmsError(
      "InvalidKeyUsage",
      `Encapsulation algorithm ${algorithm} is not valid for key spec ${key.spec}.`,
    );
  }
  requireSpecAvailable(key.spec);
  return { key, algorithm };
}

/**
 * AWS `Encapsulate`: a fresh shared secret and its ML-KEM encapsulation under the key's public key
 * (its primary version; ML-KEM keys never rotate). Anyone holding the public key (GetPublicKey)
 * could do the same offline; the operation exists so that callers need no ML-KEM library.
 */
export async function encapsulate(
  deps: CoreDeps,
  call: CallContext,
  input: EncapsulateInput,
): Promise<EncapsulateOutput> {
  const { key, algorithm } = await kemKey(deps, call, "Encapsulate", input);
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  if (!material.publicKey) throw new KmsError("Internal", "The public key is missing.");
  const { sharedSecret, ciphertext } = kemEncapsulate(material.publicKey);
  return { keyId: key.id, versionId: key.primaryVersionId, sharedSecret, ciphertext, algorithm };
}

/**
 * AWS `Decapsulate`: the shared secret inside an encapsulation, recovered with the key's private
 * key. Only a ciphertext of the wrong length for the spec is refused (`InvalidCiphertext`, as AWS
 * documents); a tampered one of the right length yields ML-KEM's implicit-rejection secret, which
 * simply will not match the sender's — no error, so no oracle.
 */
export async function decapsulate(
  deps: CoreDeps,
  call: CallContext,
  input: EncapsulateInput & { ciphertext: Uint8Array },
): Promise<Omit<EncapsulateOutput, "ciphertext">> {
  const { key, algorithm } = await kemKey(deps, call, "Decapsulate", input);
  const expected = specRow(key.spec).encapsulation?.ciphertextBytes;
  if (input.ciphertext.length !== expected) {
    throw new KmsError("InvalidCiphertext", `The ciphertext's length does not fit key spec ${key.spec}.`);
  }
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  // A copy: the cached secret may be zeroed by an eviction; the copy is zeroed once used.
  const privateKeyDer = Buffer.from(material.secret);
  try {
    const sharedSecret = kemDecapsulate(privateKeyDer, Buffer.from(input.ciphertext));
    return { keyId: key.id, versionId: key.primaryVersionId, sharedSecret, algorithm };
  } finally {
    privateKeyDer.fill(0);
  }
}
