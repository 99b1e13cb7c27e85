import { KmsError } from "../../domain/errors.js";
import type { KeyRecord, KeyVersionRecord } from "../../domain/types.js";
import type { KeyStoreTx } from "../../store/key-store.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { allVersions } from "../keys/all-versions.js";
import { requireEnabled } from "../keys/key-rules.js";
import { keyFor } from "../access/authorized-key.js";
import { requireExternalOrigin } from "./import-parameters.js";
import { isPresent, withMaterialStatus } from "./material-status.js";

/**
 * Removes imported materials of one key and returns the key after it: what
 * `DeleteImportedKeyMaterial` and the expiry of imported material do, per material, as in AWS
 * KMS. Material the key depends on is erased but its version stays, with its digest (so the same
 * material can be imported again, and the ciphertexts made under it open again) and description;
 * the key goes to PendingImport ({@link withMaterialStatus}). Material imported for the next
 * rotation (`PENDING_ROTATION`) was never part of the key: its version goes, and different material
 * may be imported in its place.
 */
async function removeMaterials(
  tx: KeyStoreTx,
  key: KeyRecord,
  versions: readonly KeyVersionRecord[],
  targets: readonly KeyVersionRecord[],
): Promise<KeyRecord> {
  let next = key;
  let remaining = [...versions];
  for (const target of targets) {
    if (target.versionId === next.pendingVersionId) {
      await tx.deleteVersion(target.keyId, target.versionId);
      remaining = remaining.filter((v) => v.versionId !== target.versionId);
      next = { ...next, pendingVersionId: null };
      continue;
    }
    const erased = { ...target, wrappedMaterial: Buffer.alloc(0), expirationModel: null, validTo: null };
    if (isPresent(target)) await tx.setVersionMaterial(erased);
    remaining = remaining.map((v) => (v.versionId === target.versionId ? erased : v));
  }
  next = withMaterialStatus(next, remaining);
  await tx.updateKey(next);
  return next;
}

/** What `DeleteImportedKeyMaterial` answers: the key after it, and the material deleted. */
export interface DeletedMaterial {
  key: KeyRecord;
  keyMaterialId: string;
}

/**
 * `DeleteImportedKeyMaterial`: deletes the material `keyMaterialId` names (a version id of the
 * key; `NotFound` otherwise), or the current material when it is absent, as AWS KMS does. A key
 * pending deletion keeps its state; deleting material that is already absent changes nothing but
 * the key's state check.
 */
export async function deleteImportedKeyMaterial(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  keyMaterialId?: string,
): Promise<DeletedMaterial> {
  const found = await keyFor(deps, call, keyRef, "DeleteImportedKeyMaterial");
  requireExternalOrigin(found);
  const out = await deps.store.transaction(async (tx) => {
    const locked = await tx.lockKey(found.id);
    if (!locked) throw new KmsError("NotFound", `Key '${found.id}' does not exist.`);
    const versions = await allVersions(tx, locked.id);
    const wanted = keyMaterialId ?? locked.primaryVersionId;
    const target = versions.find((v) => v.versionId === wanted);
    if (!target) throw new KmsError("NotFound", `Key '${locked.id}' has no key material '${wanted}'.`);
    return { key: await removeMaterials(tx, locked, versions, [target]), keyMaterialId: target.versionId };
  });
  deps.materialCache.invalidate(out.key.id);
  return out;
}

/** One imported material the sweeper removed. */
export interface ExpiredMaterial {
  keyId: string;
  keyMaterialId: string;
}

/**
 * Removes every imported material whose `ValidTo` has passed, each on its own: a key whose
 * other materials have not expired keeps them. Keys are claimed `FOR UPDATE SKIP LOCKED`, and
 * removal clears a material's `ValidTo`, so with several instances each material expires exactly
 * once. Returns the materials removed.
 */
export async function expireImportedMaterial(deps: CoreDeps, batch = 100): Promise<ExpiredMaterial[]> {
  const now = deps.clock().getTime();
  const expired = await deps.store.transaction(async (tx) => {
    const removed: ExpiredMaterial[] = [];
    for (const key of await tx.lockKeysWithExpiredMaterial(new Date(now), batch)) {
      const versions = await allVersions(tx, key.id);
      const due = versions.filter((v) => v.validTo && v.validTo.getTime() <= now);
      await removeMaterials(tx, key, versions, due);
      removed.push(...due.map((v) => ({ keyId: key.id, keyMaterialId: v.versionId })));
    }
    return removed;
  });
  for (const keyId of new Set(expired.map((m) => m.keyId))) deps.materialCache.invalidate(keyId);
  return expired;
}

/**
 * On-demand rotation of a key with imported material: the version imported with
 * `NEW_KEY_MATERIAL` becomes primary, and from then on the key depends on it. Without one there
 * is nothing to rotate to.
 */
export async function rotateToImportedMaterial(tx: KeyStoreTx, key: KeyRecord): Promise<KeyRecord> {
  requireEnabled(key);
  if (!key.pendingVersionId) {
    throw new KmsError(
      "UnsupportedOperation",
      `Key '${key.id}' has imported key material: import new material (ImportType NEW_KEY_MATERIAL) before rotating it.`,
    );
  }
  const rotated: KeyRecord = { ...key, primaryVersionId: key.pendingVersionId, pendingVersionId: null };
  const next = withMaterialStatus(rotated, await allVersions(tx, key.id));
  await tx.updateKey(next);
  return next;
}
