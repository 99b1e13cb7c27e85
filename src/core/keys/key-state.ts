import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import { requireNotPendingDeletion } from "./key-rules.js";
import { mutateKey } from "./mutate-key.js";
import type { KeyRecord } from "../../domain/types.js";
import { checkRange } from "../validate.js";
import { allVersions } from "./all-versions.js";
import { lacksMaterial } from "../imports/material-status.js";

const DAY_MS = 86_400_000;

/** Enables a Disabled key; a PendingDeletion key must first be cancelled (AWS KMS rule). */
export function enableKey(deps: CoreDeps, call: CallContext, keyRef: string): Promise<KeyRecord> {
  return mutateKey(deps, call, keyRef, "EnableKey", (key) => {
    requireNotPendingDeletion(key);
    return key.state === "Enabled" ? key : { ...key, state: "Enabled" };
  });
}

/** Disables a key. Cached material is dropped so nothing unwrapped outlives the decision. */
export async function disableKey(deps: CoreDeps, call: CallContext, keyRef: string): Promise<KeyRecord> {
  const key = await mutateKey(deps, call, keyRef, "DisableKey", (k) => {
    requireNotPendingDeletion(k);
    return k.state === "Disabled" ? k : { ...k, state: "Disabled" };
  });
  deps.materialCache.invalidate(key.id);
  return key;
}

/** Schedules deletion after 7..30 days (default 30); the sweeper destroys the key then. */
export async function scheduleKeyDeletion(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  pendingWindowDays: number | undefined,
): Promise<KeyRecord> {
  const days = pendingWindowDays || 30;
  checkRange("pendingWindowInDays", days, 7, 30);
  const key = await mutateKey(deps, call, keyRef, "ScheduleKeyDeletion", (k) => {
    if (k.state === "PendingDeletion") {
      throw new KmsError("InvalidState", `Key '${k.id}' is already pending deletion.`);
    }
    return { ...k, state: "PendingDeletion", deletionAt: new Date(deps.clock().getTime() + days * DAY_MS) };
  });
  deps.materialCache.invalidate(key.id);
  return key;
}

/**
 * Cancels a scheduled deletion; the key returns Disabled, as in AWS KMS — or PendingImport when it
 * is a key for imported material that lacks any of the material it depends on.
 */
export function cancelKeyDeletion(deps: CoreDeps, call: CallContext, keyRef: string): Promise<KeyRecord> {
  return mutateKey(deps, call, keyRef, "CancelKeyDeletion", async (k, tx) => {
    if (k.state !== "PendingDeletion") {
      throw new KmsError("InvalidState", `Key '${k.id}' is not pending deletion.`);
    }
    const awaitingMaterial = k.origin === "EXTERNAL" && lacksMaterial(k, await allVersions(tx, k.id));
    return { ...k, state: awaitingMaterial ? "PendingImport" : "Disabled", deletionAt: null };
  });
}
