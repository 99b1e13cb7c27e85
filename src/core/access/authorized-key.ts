import type { KeyAction } from "./access.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { resolveKey } from "../keys/key-id.js";
import type { EncryptionContext, KeyRecord } from "../../domain/types.js";

/**
 * Resolves a key reference and checks the caller may perform `action` on it — the first step of
 * every operation on a key. The key id is noted on the call for the audit record. Access is
 * checked before the key's state, as in AWS KMS, so a caller without permission learns nothing
 * about whether the key is enabled.
 */
export async function keyFor(
  deps: Pick<CoreDeps, "arn" | "store" | "access">,
  call: CallContext,
  keyRef: string,
  action: KeyAction,
  extra: { context?: EncryptionContext | undefined; grantTokens?: readonly string[] | undefined } = {},
): Promise<KeyRecord> {
  const key = await resolvedOnce(deps, call, keyRef);
  await authorize(deps, call, key, action, extra);
  return key;
}

/** Resolves a reference, once per batch call when the call carries a `resolved` map. */
function resolvedOnce(deps: Pick<CoreDeps, "arn" | "store">, call: CallContext, keyRef: string): Promise<KeyRecord> {
  if (!call.resolved) return resolveKey(deps, keyRef);
  let pending = call.resolved.get(keyRef);
  if (!pending) {
    pending = resolveKey(deps, keyRef);
    call.resolved.set(keyRef, pending);
  }
  return pending;
}

/** Checks access to an already resolved key (e.g. the key a ciphertext names). */
export async function authorize(
  deps: Pick<CoreDeps, "access">,
  call: CallContext,
  key: KeyRecord,
  action: KeyAction,
  extra: { context?: EncryptionContext | undefined; grantTokens?: readonly string[] | undefined } = {},
): Promise<void> {
  call.keyId ??= key.id;
  await deps.access.check({ principal: call.principal, action, key, ...extra });
}
