import { keyArn } from "../../core/keys/key-id.js";
import { getRotationStatus, listKeyVersions } from "../../core/rotation/rotation.js";
import { epochSeconds } from "../json.js";
import type { Operation } from "./operation.js";
import { pageRequest, pageResponse } from "./paging.js";

/**
 * `ListKeyRotations`: every version after the initial one, oldest first, with the `RotationType`
 * the version recorded when it was made. Versions stored before migration 003 recorded none and
 * read `ON_DEMAND`, as they did before (docs/aws-compatibility.md). A page may hold one entry
 * fewer than `Limit` where the initial version was skipped — AWS allows fewer than `Limit`.
 */
export const listKeyRotations: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const { limit, marker } = pageRequest(m);
  return async ({ deps, call }) => {
    const key = await getRotationStatus(deps, call, keyId);
    const page = await listKeyVersions(deps, call, key.id, limit, marker);
    return {
      Rotations: page.items
        .filter((v) => v.versionId !== key.initialVersionId)
        .map((v) => ({
          KeyId: keyArn(deps, key.id),
          RotationDate: epochSeconds(v.createdAt),
          RotationType: v.rotationType ?? "ON_DEMAND",
          KeyMaterialId: v.versionId,
        })),
      ...pageResponse(page),
    };
  };
};
