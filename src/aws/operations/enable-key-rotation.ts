import { updateRotationPolicy } from "../../core/rotation/rotation.js";
import type { Operation } from "./operation.js";

/** `EnableKeyRotation`: period 90..2560 days, default 365; only symmetric keys rotate. Empty reply. */
export const enableKeyRotation: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const days = m.integer("RotationPeriodInDays");
  return async ({ deps, call }) => {
    await updateRotationPolicy(deps, call, keyId, true, days);
    return {};
  };
};
