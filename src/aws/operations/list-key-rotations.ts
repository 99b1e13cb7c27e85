import { keyArn } from "../../core/keys/key-id.js";
import { getRotationStatus, listKeyVersions } from "../../core/rotation/rotation.js";
import { IMPORT_STATES, KEY_MATERIAL_STATES } from "../../domain/key-import.js";
import { fromAws, toAws } from "../enums.js";
import { epochSeconds, type JsonObject } from "../json.js";
import type { Operation } from "./operation.js";
import { pageRequest, pageResponse } from "./paging.js";

/** AWS `IncludeKeyMaterial`: completed rotations only (the default), or every material of the key. */
const INCLUDE_KEY_MATERIAL = { ROTATIONS_ONLY: "ROTATIONS_ONLY", ALL_KEY_MATERIAL: "ALL_KEY_MATERIAL" } as const;

/**
 * `ListKeyRotations`: the key's materials, oldest first. By default only those a rotation made
 * current (not the first material, nor imported material pending rotation); with
 * `IncludeKeyMaterial: ALL_KEY_MATERIAL` every one. Each entry has its `KeyMaterialState`; a
 * rotation its `RotationDate` and the `RotationType` the version recorded when it was made
 * (versions stored before migration 003 recorded none and read `ON_DEMAND`, docs/aws-compatibility.md);
 * imported material its `ImportState`, `ExpirationModel`/`ValidTo` while imported, and
 * `KeyMaterialDescription` when it has one — the fields AWS gives symmetric `EXTERNAL` keys. A
 * page may hold fewer entries than `Limit` where some were left out — AWS allows fewer than `Limit`.
 */
export const listKeyRotations: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const include = fromAws(INCLUDE_KEY_MATERIAL, "IncludeKeyMaterial", m.string("IncludeKeyMaterial"));
  const { limit, marker } = pageRequest(m);
  return async ({ deps, call }) => {
    const key = await getRotationStatus(deps, call, keyId);
    const page = await listKeyVersions(deps, call, key.id, limit, marker);
    const all = include === "ALL_KEY_MATERIAL";
    const rotations: JsonObject[] = [];
    for (const v of page.items) {
      const materialState = v.materialState;
      const rotation = v.versionId !== key.initialVersionId && materialState !== "PENDING_ROTATION";
      if (!rotation && !all) continue;
      rotations.push({
        KeyId: keyArn(deps, key.id),
        KeyMaterialId: v.versionId,
        KeyMaterialState: toAws(KEY_MATERIAL_STATES, materialState),
        ...(rotation ? { RotationDate: epochSeconds(v.createdAt), RotationType: v.rotationType ?? "ON_DEMAND" } : {}),
        ...(v.importState
          ? {
              ImportState: toAws(IMPORT_STATES, v.importState),
              ...(v.expirationModel ? { ExpirationModel: v.expirationModel } : {}),
              ...(v.validTo ? { ValidTo: epochSeconds(v.validTo) } : {}),
              ...(v.materialDescription != null ? { KeyMaterialDescription: v.materialDescription } : {}),
            }
          : {}),
      });
    }
    return { Rotations: rotations, ...pageResponse(page) };
  };
};
