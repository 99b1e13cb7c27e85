import type { ImportState, KeyMaterialState } from "../../domain/key-import.js";
import type { KeyRecord, KeyVersionRecord } from "../../domain/types.js";

/**
 * AWS's rule for keys with imported material (developer guide, "Delete imported key material"):
 * a key may have several materials — the current one, the non-current ones that older
 * ciphertexts need, and at most one imported for the next on-demand rotation (`PENDING_ROTATION`).
 * All but the pending one are permanently associated with the key, and the key is usable only
 * while every one of them is imported: deleting or letting any of them expire puts the key in
 * PendingImport, and re-importing the missing ones brings it back. Material whose version was
 * trimmed (`TrimKeyVersions`) is destroyed on purpose and no longer counted.
 */
function dependedOn(key: KeyRecord, versions: readonly KeyVersionRecord[]): KeyVersionRecord[] {
  return versions.filter((v) => v.versionId !== key.pendingVersionId && !v.trimmedAt);
}

/** Whether a version's material is in the store now (not yet imported, deleted or expired). */
export function isPresent(version: KeyVersionRecord): boolean {
  return version.wrappedMaterial.length > 0;
}

/** Whether an imported key lacks any material it depends on. */
export function lacksMaterial(key: KeyRecord, versions: readonly KeyVersionRecord[]): boolean {
  return dependedOn(key, versions).some((v) => !isPresent(v));
}

/**
 * The key after a change of its material: PendingImport while any material it depends on is
 * absent, Enabled again once a PendingImport key has all of it (a Disabled key stays Disabled; a
 * key pending deletion keeps its state, as AWS's `DeleteImportedKeyMaterial` does), and the
 * summary AWS `KeyMetadata` reports — `KEY_MATERIAL_EXPIRES` when any present material expires,
 * with the earliest `ValidTo`.
 */
export function withMaterialStatus(key: KeyRecord, versions: readonly KeyVersionRecord[]): KeyRecord {
  const present = dependedOn(key, versions).filter(isPresent);
  const expiries = present.flatMap((v) => (v.validTo ? [v.validTo.getTime()] : []));
  const missing = lacksMaterial(key, versions);
  const state =
    key.state === "PendingDeletion"
      ? key.state
      : missing
        ? "PendingImport"
        : key.state === "PendingImport"
          ? "Enabled"
          : key.state;
  return {
    ...key,
    state,
    expirationModel:
      present.length === 0 ? null : expiries.length > 0 ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
    materialExpiresAt: expiries.length > 0 ? new Date(Math.min(...expiries)) : null,
  };
}

/** A version's material as `ListKeyRotations` / `ListKeyVersions` report it. */
export function keyMaterialState(key: KeyRecord, version: KeyVersionRecord): KeyMaterialState {
  if (version.versionId === key.primaryVersionId) return "CURRENT";
  return version.versionId === key.pendingVersionId ? "PENDING_ROTATION" : "NON_CURRENT";
}

/** Whether a version of an imported key has its material now. */
export function importState(version: KeyVersionRecord): ImportState {
  return isPresent(version) ? "IMPORTED" : "PENDING_IMPORT";
}
