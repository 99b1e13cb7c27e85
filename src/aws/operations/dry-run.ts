import type { KeyAction } from "../../core/access/access.js";
import { keyFor } from "../../core/access/authorized-key.js";
import { parseBlob } from "../../crypto/ciphertext.js";
import { invalidCiphertext, KmsError } from "../../domain/errors.js";
import type { Members } from "../json.js";
import type { Operation } from "./operation.js";

/** Which key a dry run is authorised against, read from the request's members. */
type KeyOf = (m: Members) => string;

/** The key named by `KeyId`. */
export const byKeyId: KeyOf = (m) => m.requiredString("KeyId");

/** `KeyId` when given, else the key a self-describing `CiphertextBlob` names (AWS `Decrypt`). */
export const byKeyIdOrBlob: KeyOf = (m) => {
  const named = m.string("KeyId");
  if (named) return named;
  try {
    return parseBlob(m.requiredBlob("CiphertextBlob")).keyId;
  } catch (err) {
    if (err instanceof KmsError && err.code === "InvalidArgument") throw err;
    throw invalidCiphertext();
  }
};

/**
 * AWS's `DryRun: true`: the request is read and checked as usual and the caller's permission for
 * `action` on the key is checked, then nothing happens and the answer is
 * `DryRunOperationException` (HTTP 400) — also when the caller is allowed, which is AWS's way of
 * saying "this would have succeeded". Without `DryRun` the operation runs unchanged.
 */
export function dryRunnable(operation: Operation, action: KeyAction, keyOf: KeyOf = byKeyId): Operation {
  return (m) => {
    const run = operation(m);
    if (m.boolean("DryRun") !== true) return run;
    const keyRef = keyOf(m);
    return async ({ deps, call }) => {
      await keyFor(deps, call, keyRef, action);
      throw new KmsError("DryRun", "The request would have succeeded, but DryRun was set.");
    };
  };
}
