import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import { keyFor } from "../access/authorized-key.js";
import { requireEnabled } from "../keys/key-rules.js";
import { mutateKey } from "../keys/mutate-key.js";
import type { KeyStoreTx } from "../../store/key-store.js";
import type { KeyRecord, KeyVersionRecord, Page } from "../../domain/types.js";
import { checkRange, pageSize } from "../validate.js";
import { newVersion } from "../keys/versions.js";
import { minVersionOf, type VersionView, versionState } from "../keys/retired-versions.js";
import { ROTATABLE_SPECS } from "../../domain/specs.js";
import { allVersions } from "../keys/all-versions.js";
import { rotateToImportedMaterial } from "../imports/material-removal.js";
import { importState, keyMaterialState } from "../imports/material-status.js";
import type { ImportState, KeyMaterialState } from "../../domain/key-import.js";

const DAY_MS = 86_400_000;
export const DEFAULT_ROTATION_DAYS = 365;

/**
 * Only symmetric encryption keys rotate, as in AWS KMS: a signature or MAC made under one
 * version could not be verified after the primary moves, and the Raw/initial-version contract
 * of the seed depends on old versions staying available — which they always do here.
 */
function requireRotatable(key: KeyRecord): void {
  requireEnabled(key);
  requireRotatableSpec(key);
}

function requireRotatableSpec(key: KeyRecord): void {
  if (!ROTATABLE_SPECS.includes(key.spec)) {
    throw new KmsError(
      "UnsupportedOperation",
      `Key '${key.id}' is ${key.spec}; only ${ROTATABLE_SPECS.join(", ")} keys can be rotated.`,
    );
  }
}

/**
 * A key whose rotation facts may be read (AWS `GetKeyRotationStatus`, `ListKeyRotations`): any
 * state, but only a spec that rotates at all — the others are `UnsupportedOperation`, as in AWS KMS.
 */
export async function getRotationStatus(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  action: "GetKeyRotationStatus" | "ListKeyRotations" = "GetKeyRotationStatus",
): Promise<KeyRecord> {
  const key = await keyFor(deps, call, keyRef, action);
  requireRotatableSpec(key);
  return key;
}

/**
 * Creates a new primary version. The version is generated first, then inserted under the key's
 * row lock with the state re-checked, so concurrent rotations (from any instance) each add one
 * version and the primary is the last one committed.
 */
export async function rotateKey(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
): Promise<{ key: KeyRecord; versionId: string }> {
  const found = await keyFor(deps, call, keyRef, "RotateKeyOnDemand");
  requireRotatable(found);
  const version =
    found.origin === "EXTERNAL" ? null : await newVersion(deps, found.id, found.spec, "ON_DEMAND", call.signal);
  const key = await deps.store.transaction(async (tx) => {
    const current = await tx.lockKey(found.id);
    if (!current) throw new KmsError("NotFound", `Key '${found.id}' does not exist.`);
    requireRotatable(current);
    await requireOnDemandBudget(tx, current);
    return version ? applyVersion(tx, current, version, deps.clock()) : rotateToImportedMaterial(tx, current);
  });
  deps.materialCache.invalidate(key.id);
  return { key, versionId: key.primaryVersionId };
}

/** AWS KMS allows 10 on-demand rotations per key; the 11th is `LimitExceeded`. */
const MAX_ON_DEMAND_ROTATIONS = 10;

async function requireOnDemandBudget(tx: KeyStoreTx, key: KeyRecord): Promise<void> {
  const versions = await allVersions(tx, key.id);
  const used = versions.filter((v) => v.rotationType === "ON_DEMAND" && v.versionId !== key.pendingVersionId).length;
  if (used >= MAX_ON_DEMAND_ROTATIONS) {
    throw new KmsError(
      "LimitExceeded",
      `Key '${key.id}' has had ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations, the most allowed.`,
    );
  }
}

/**
 * Inserts a version as the new primary, under the key's row lock. The version is stamped here, not
 * when its material was generated: versions list in (created_at, id) order, so a version generated
 * earlier but committed later must still sort after the primary it replaces.
 */
async function applyVersion(
  tx: Pick<KeyStoreTx, "insertVersion" | "updateKey" | "getVersion">,
  key: KeyRecord,
  generated: KeyVersionRecord,
  now: Date,
): Promise<KeyRecord> {
  const primary = await tx.getVersion(key.id, key.primaryVersionId);
  const floor = primary ? primary.createdAt.getTime() + 1 : 0;
  const version = { ...generated, createdAt: new Date(Math.max(now.getTime(), floor)) };
  await tx.insertVersion(version);
  const next: KeyRecord = {
    ...key,
    primaryVersionId: version.versionId,
    // An on-demand rotation leaves the automatic schedule as it was, as AWS KMS does.
    nextRotationAt:
      generated.rotationType === "AUTOMATIC" && key.rotationEnabled
        ? new Date(now.getTime() + (key.rotationPeriodDays ?? DEFAULT_ROTATION_DAYS) * DAY_MS)
        : key.nextRotationAt,
  };
  await tx.updateKey(next);
  return next;
}

/**
 * A version as `ListKeyVersions` / `ListKeyRotations` report it: whether it decrypts, what its
 * material is to the key, and — for keys with imported material — whether the material is there.
 */
export type KeyVersionView = VersionView & { materialState: KeyMaterialState; importState: ImportState | null };

/** A key's versions, oldest first. */
export async function listKeyVersions(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  limit: number | undefined,
  token: string | undefined,
): Promise<Page<KeyVersionView>> {
  const key = await keyFor(deps, call, keyRef, "ListKeyRotations");
  const [page, min] = await Promise.all([
    deps.store.listVersions(key.id, pageSize(limit), token || null),
    minVersionOf(deps.store, key),
  ]);
  return {
    ...page,
    items: page.items.map((v) => ({
      ...v,
      state: versionState(v, min),
      materialState: keyMaterialState(key, v),
      importState: key.origin === "EXTERNAL" ? importState(v) : null,
    })),
  };
}

/** Turns automatic rotation on (period 90..2560 days, default 365) or off. */
export function updateRotationPolicy(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  enabled: boolean,
  periodDays: number | undefined,
): Promise<KeyRecord> {
  const days = periodDays || DEFAULT_ROTATION_DAYS;
  if (enabled) checkRange("rotationPeriodInDays", days, 90, 2560);
  return mutateKey(deps, call, keyRef, enabled ? "EnableKeyRotation" : "DisableKeyRotation", (key) => {
    requireRotatable(key);
    if (enabled && key.origin === "EXTERNAL") {
      throw new KmsError(
        "UnsupportedOperation",
        `Key '${key.id}' has imported key material; it rotates only on demand.`,
      );
    }
    if (!enabled) return { ...key, rotationEnabled: false, nextRotationAt: null };
    return {
      ...key,
      rotationEnabled: true,
      rotationPeriodDays: days,
      nextRotationAt: new Date(deps.clock().getTime() + days * DAY_MS),
    };
  });
}

/**
 * Rotates every key whose automatic rotation is due. Keys are claimed with
 * `FOR UPDATE SKIP LOCKED` and rotated in the same transaction, so with several instances each
 * due key is rotated exactly once. Returns how many keys were rotated.
 */
export async function rotateDueKeys(deps: CoreDeps, batch = 50): Promise<number> {
  const now = deps.clock();
  const rotated = await deps.store.transaction(async (tx) => {
    const due = await tx.lockKeysDueForRotation(now, batch);
    for (const key of due) {
      const version = await newVersion(deps, key.id, key.spec, "AUTOMATIC");
      await applyVersion(tx, key, version, now);
    }
    return due.map((k) => k.id);
  });
  for (const id of rotated) deps.materialCache.invalidate(id);
  return rotated.length;
}
