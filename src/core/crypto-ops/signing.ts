import { defaultSigningAlgorithm, signMessage, verifyMessage } from "../../crypto/signing.js";
import { requireSpecAvailable } from "../../crypto/post-quantum.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import { keyFor } from "../access/authorized-key.js";
import { requireEnabled, requireUsable } from "../keys/key-rules.js";
import { algorithmsOf, isAsymmetric } from "../../domain/specs.js";
import type {
  EncapsulationAlgorithm,
  EncryptionAlgorithm,
  KeyAgreementAlgorithm,
  KeySpec,
  KeyUsage,
  MessageType,
  SigningAlgorithm,
} from "../../domain/types.js";
import { checkGrantTokens, checkLength } from "../validate.js";
import { versionMaterial } from "../keys/versions.js";

export interface SignInput {
  keyRef: string;
  message: Uint8Array;
  messageType: MessageType;
  algorithm?: SigningAlgorithm | undefined;
  grantTokens?: readonly string[];
}

/** Signs with a SIGN_VERIFY key's primary version (asymmetric keys never rotate, so it is its only one). */
export async function sign(
  deps: CoreDeps,
  call: CallContext,
  input: SignInput,
): Promise<{ keyId: string; versionId: string; signature: Buffer; algorithm: SigningAlgorithm }> {
  checkGrantTokens(input.grantTokens ?? []);
  const key = await keyFor(deps, call, input.keyRef, "Sign", { grantTokens: input.grantTokens });
  requireUsable(key, "SIGN_VERIFY");
  requireSpecAvailable(key.spec);
  const algorithm = input.algorithm ?? defaultSigningAlgorithm(key.spec);
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  // A copy: signing may wait on OpenSSL (a digest with PSS or ECDSA), and the cached secret may be
  // zeroed by an eviction meanwhile. The copy is zeroed as soon as the signature exists.
  const privateKeyDer = Buffer.from(material.secret);
  try {
    const signature = await signMessage({
      spec: key.spec,
      privateKeyDer,
      algorithm,
      message: Buffer.from(input.message),
      messageType: input.messageType,
    });
    return { keyId: key.id, versionId: key.primaryVersionId, signature, algorithm };
  } finally {
    privateKeyDer.fill(0);
  }
}

/** Verifies a signature; a wrong signature is `valid: false`, not an error. */
export async function verify(
  deps: CoreDeps,
  call: CallContext,
  input: SignInput & { signature: Uint8Array },
): Promise<{ keyId: string; valid: boolean; algorithm: SigningAlgorithm }> {
  checkGrantTokens(input.grantTokens ?? []);
  checkLength("signature", input.signature, 1, 6144);
  const key = await keyFor(deps, call, input.keyRef, "Verify", { grantTokens: input.grantTokens });
  requireUsable(key, "SIGN_VERIFY");
  requireSpecAvailable(key.spec);
  const algorithm = input.algorithm ?? defaultSigningAlgorithm(key.spec);
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  const valid = await verifyMessage({
    spec: key.spec,
    publicKeyDer: material.publicKey!,
    algorithm,
    message: Buffer.from(input.message),
    messageType: input.messageType,
    signature: Buffer.from(input.signature),
  });
  return { keyId: key.id, valid, algorithm };
}

export interface PublicKeyOutput {
  keyId: string;
  versionId: string;
  publicKey: Buffer;
  spec: KeySpec;
  usage: KeyUsage;
  signingAlgorithms: SigningAlgorithm[];
  encryptionAlgorithms: EncryptionAlgorithm[];
  agreementAlgorithms: KeyAgreementAlgorithm[];
  encapsulationAlgorithms: EncapsulationAlgorithm[];
}

/** The SPKI DER public key of an asymmetric key; public keys are not secret, but state rules still apply. */
export async function getPublicKey(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  grantTokens?: readonly string[],
): Promise<PublicKeyOutput> {
  checkGrantTokens(grantTokens ?? []);
  const key = await keyFor(deps, call, keyRef, "GetPublicKey", { grantTokens });
  requireEnabled(key);
  if (!isAsymmetric(key.spec)) {
    throw new KmsError("UnsupportedOperation", `Key '${key.id}' is ${key.spec}; it has no public key.`);
  }
  const version = await deps.store.getVersion(key.id, key.primaryVersionId);
  if (!version?.publicKey) throw new KmsError("Internal", "The public key is missing.");
  return {
    keyId: key.id,
    versionId: key.primaryVersionId,
    publicKey: version.publicKey,
    spec: key.spec,
    usage: key.usage,
    signingAlgorithms: algorithmsOf(key).signing,
    encryptionAlgorithms: algorithmsOf(key).encryption,
    agreementAlgorithms: algorithmsOf(key).agreement,
    encapsulationAlgorithms: algorithmsOf(key).encapsulation,
  };
}
