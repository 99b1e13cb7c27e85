import { keyArn } from "../../core/keys/key-id.js";
import { getRotationStatus } from "../../core/rotation/rotation.js";
import { epochSeconds } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `GetKeyRotationStatus`. The period and next date appear only while automatic rotation is on,
 * as in AWS's replies.
 */
export const getKeyRotationStatus: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  return async ({ deps, call }) => {
    const key = await getRotationStatus(deps, call, keyId);
    return {
      KeyRotationEnabled: key.rotationEnabled,
      KeyId: keyArn(deps, key.id),
      ...(key.rotationEnabled && key.rotationPeriodDays !== null
        ? { RotationPeriodInDays: key.rotationPeriodDays }
        : {}),
      ...(key.rotationEnabled && key.nextRotationAt ? { NextRotationDate: epochSeconds(key.nextRotationAt) } : {}),
    };
  };
};
