import { updateRotationPolicy } from "../../core/rotation/rotation.js";
import type { Operation } from "./operation.js";

/** `DisableKeyRotation`. Empty reply. */
export const disableKeyRotation: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  return async ({ deps, call }) => {
    await updateRotationPolicy(deps, call, keyId, false, undefined);
    return {};
  };
};
