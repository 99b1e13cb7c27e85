import { keyArn } from "../../core/keys/key-id.js";
import { cancelKeyDeletion as coreCancel } from "../../core/keys/key-state.js";
import type { Operation } from "./operation.js";

/** `CancelKeyDeletion`: the key returns Disabled (AWS's rule); the reply names it by ARN. */
export const cancelKeyDeletion: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  return async ({ deps, call }) => ({ KeyId: keyArn(deps, (await coreCancel(deps, call, keyId)).id) });
};
