import { KmsError } from "../../domain/errors.js";
import type { KeyRecord, KeySpec, KeyUsage } from "../../domain/types.js";

/**
 * The AWS KMS state rules for cryptographic use: a Disabled key is refused with `Disabled`, a
 * PendingDeletion key with `InvalidState`; then the usage (and, when given, the spec) must fit.
 */
export function requireUsable(key: KeyRecord, usage: KeyUsage, specs?: readonly KeySpec[]): void {
  requireEnabled(key);
  if (key.usage !== usage || (specs && !specs.includes(key.spec))) {
    throw new KmsError(
      "InvalidKeyUsage",
      `Key '${key.id}' (${key.spec}, ${key.usage}) cannot be used for this operation; it needs ${
        specs ? `a ${specs.join(" or ")} key with ` : ""
      }usage ${usage}.`,
    );
  }
}

/** Refuses keys that are not Enabled, with the code AWS KMS uses for each state. */
export function requireEnabled(key: KeyRecord): void {
  if (key.state === "Disabled") throw new KmsError("Disabled", `Key '${key.id}' is disabled.`);
  requireNotPendingDeletion(key);
}

/**
 * Refuses changes to a key pending deletion or waiting for imported material (enable, disable,
 * rotate): both are `KMSInvalidStateException` in AWS KMS.
 */
export function requireNotPendingDeletion(key: KeyRecord): void {
  if (key.state === "PendingDeletion") {
    throw new KmsError("InvalidState", `Key '${key.id}' is pending deletion.`);
  }
  if (key.state === "PendingImport") {
    throw new KmsError("InvalidState", `Key '${key.id}' is pending import of its key material.`);
  }
}
