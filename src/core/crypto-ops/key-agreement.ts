import { deriveEcdhSecret } from "../../crypto/key-agreement.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import { keyFor } from "../access/authorized-key.js";
import { requireUsable } from "../keys/key-rules.js";
import { specRow } from "../../domain/specs.js";
import type { KeyAgreementAlgorithm } from "../../domain/types.js";
import type { KeyOrigin } from "../../domain/key-import.js";
import { checkGrantTokens, checkLength } from "../validate.js";
import { versionMaterial } from "../keys/versions.js";

export interface DeriveSharedSecretInput {
  keyRef: string;
  /** Absent means the spec's first (ECDH, the only one AWS defines). */
  algorithm?: KeyAgreementAlgorithm | undefined;
  /** The peer's DER SubjectPublicKeyInfo. */
  publicKey: Uint8Array;
  grantTokens?: readonly string[] | undefined;
}

export interface DeriveSharedSecretOutput {
  keyId: string;
  versionId: string;
  sharedSecret: Buffer;
  algorithm: KeyAgreementAlgorithm;
  origin: KeyOrigin;
}

/**
 * AWS `DeriveSharedSecret`: ECDH between a KEY_AGREEMENT key's private key (its primary version;
 * asymmetric keys never rotate) and a peer's public key on the same curve. The shared secret is
 * returned raw, as AWS returns it; it is never logged. A key of another usage or an algorithm the
 * spec does not list is `InvalidKeyUsage`; a peer key that does not parse or is on another curve
 * is `InvalidArgument` (AWS `ValidationException`).
 */
export async function deriveSharedSecret(
  deps: CoreDeps,
  call: CallContext,
  input: DeriveSharedSecretInput,
): Promise<DeriveSharedSecretOutput> {
  checkGrantTokens(input.grantTokens ?? []);
  checkLength("publicKey", input.publicKey, 1, 8192);
  const key = await keyFor(deps, call, input.keyRef, "DeriveSharedSecret", { grantTokens: input.grantTokens });
  requireUsable(key, "KEY_AGREEMENT");
  const row = specRow(key.spec);
  const algorithm = input.algorithm ?? row.agreement[0];
  if (algorithm === undefined || !row.agreement.includes(algorithm) || row.generate.kind !== "ec") {
    throw new KmsError(
      "InvalidKeyUsage",
      `Key agreement algorithm ${algorithm ?? "ECDH"} is not valid for key spec ${key.spec}.`,
    );
  }
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  const sharedSecret = deriveEcdhSecret(material.secret, Buffer.from(input.publicKey), row.generate.namedCurve);
  return {
    keyId: key.id,
    versionId: key.primaryVersionId,
    sharedSecret,
    algorithm,
    origin: key.origin ?? "AWS_KMS",
  };
}
