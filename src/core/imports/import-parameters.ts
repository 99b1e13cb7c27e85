import { KmsError } from "../../domain/errors.js";
import { WRAPPING_KEY_SPECS, type WrappingAlgorithm, type WrappingKeySpec } from "../../domain/key-import.js";
import type { KeyRecord } from "../../domain/types.js";
import { keyFor } from "../access/authorized-key.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { importTokenExpiry, sealImportToken } from "./import-token.js";

/** What `GetParametersForImport` answers: the public key to wrap with and the token to send back. */
export interface ImportParameters {
  key: KeyRecord;
  importToken: Buffer;
  /** SubjectPublicKeyInfo DER of the wrapping key. */
  publicKey: Buffer;
  validTo: Date;
}

/** Refuses keys whose material is not imported, and keys on their way out, as AWS KMS does. */
export function requireExternal(key: KeyRecord): void {
  requireExternalOrigin(key);
  if (key.state === "PendingDeletion") throw new KmsError("InvalidState", `Key '${key.id}' is pending deletion.`);
}

/** Refuses keys whose material is generated here (AWS `Origin` other than `EXTERNAL`). */
export function requireExternalOrigin(key: KeyRecord): void {
  if (key.origin !== "EXTERNAL") {
    throw new KmsError(
      "UnsupportedOperation",
      `Key '${key.id}' does not have imported key material (Origin EXTERNAL).`,
    );
  }
}

/**
 * A fresh RSA wrapping key (generated in the worker pool) and an import token that holds its
 * private half sealed under the root key, bound to this key, for 24 hours.
 */
export async function getParametersForImport(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  algorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec,
): Promise<ImportParameters> {
  const key = await keyFor(deps, call, keyRef, "GetParametersForImport");
  requireExternal(key);
  const pair = await deps.keyPairs.generate(wrappingKeySpec, call.signal);
  try {
    const validTo = importTokenExpiry(deps.clock());
    const importToken = await sealImportToken(deps, key.id, {
      algorithm,
      wrappingKeySpec,
      privateKeyDer: pair.privateKeyDer,
      expiresAt: validTo,
    });
    return { key, importToken, publicKey: pair.publicKeyDer, validTo };
  } finally {
    pair.privateKeyDer.fill(0);
  }
}

/** The modulus of a wrapping key spec, for splitting `RSA_AES_KEY_WRAP` blobs. */
export function wrappingModulusBits(spec: WrappingKeySpec): number {
  return WRAPPING_KEY_SPECS[spec].bits;
}
