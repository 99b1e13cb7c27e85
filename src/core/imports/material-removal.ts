import { KmsError } from "../../domain/errors.js";
import type { KeyRecord } from "../../domain/types.js";
import type { KeyStoreTx } from "../../store/key-store.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { allVersions } from "../keys/all-versions.js";
import { requireEnabled } from "../keys/key-rules.js";
import { keyFor } from "../access/authorized-key.js";
import { requireExternal } from "./import-parameters.js";

/**
 * Erases the imported material of every version of a key (its digest stays, so the same material
 * can be imported again) and puts the key in PendingImport: what `DeleteImportedKeyMaterial` and
 * the expiry of imported material do, as in AWS KMS. Ciphertexts made under the key open again
 * once the same material is re-imported.
 */
async function removeMaterial(tx: KeyStoreTx, key: KeyRecord): Promise<KeyRecord> {
  for (const version of await allVersions(tx, key.id)) {
    if (version.wrappedMaterial.length > 0)
      await tx.setVersionMaterial({ ...version, wrappedMaterial: Buffer.alloc(0) });
  }
  const next: KeyRecord = {
    ...key,
    state: "PendingImport",
    expirationModel: null,
    materialExpiresAt: null,
    pendingVersionId: null,
  };
  await tx.updateKey(next);
  return next;
}

/** `DeleteImportedKeyMaterial`: the key is unusable until its material is imported again. */
export async function deleteImportedKeyMaterial(deps: CoreDeps, call: CallContext, keyRef: string): Promise<KeyRecord> {
  const found = await keyFor(deps, call, keyRef, "DeleteImportedKeyMaterial");
  requireExternal(found);
  const key = await deps.store.transaction(async (tx) => {
    const locked = await tx.lockKey(found.id);
    if (!locked) throw new KmsError("NotFound", `Key '${found.id}' does not exist.`);
    requireExternal(locked);
    return removeMaterial(tx, locked);
  });
  deps.materialCache.invalidate(key.id);
  return key;
}

/**
 * Puts every key whose imported material has expired into PendingImport. Keys are claimed
 * `FOR UPDATE SKIP LOCKED`, so with several instances each key expires exactly once. Returns their ids.
 */
export async function expireImportedMaterial(deps: CoreDeps, batch = 100): Promise<string[]> {
  const now = deps.clock();
  const expired = await deps.store.transaction(async (tx) => {
    const due = await tx.lockKeysWithExpiredMaterial(now, batch);
    for (const key of due) await removeMaterial(tx, key);
    return due.map((k) => k.id);
  });
  for (const id of expired) deps.materialCache.invalidate(id);
  return expired;
}

/**
 * On-demand rotation of a key with imported material: the version imported with
 * `NEW_KEY_MATERIAL` becomes primary. Without one there is nothing to rotate to.
 */
export function rotateToImportedMaterial(tx: KeyStoreTx, key: KeyRecord): Promise<KeyRecord> {
  requireEnabled(key);
  if (!key.pendingVersionId) {
    throw new KmsError(
      "UnsupportedOperation",
      `Key '${key.id}' has imported key material: import new material (ImportType NEW_KEY_MATERIAL) before rotating it.`,
    );
  }
  const next: KeyRecord = { ...key, primaryVersionId: key.pendingVersionId, pendingVersionId: null };
  return tx.updateKey(next).then(() => next);
}
