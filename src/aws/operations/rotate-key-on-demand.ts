import { keyArn } from "../../core/keys/key-id.js";
import { rotateKey } from "../../core/rotation/rotation.js";
import type { Operation } from "./operation.js";

/**
 * `RotateKeyOnDemand`: a new primary version at once. AWS rotates asynchronously and limits
 * on-demand rotations to 10 per key; here the rotation is done when the reply arrives, with no limit.
 */
export const rotateKeyOnDemand: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  return async ({ deps, call }) => ({ KeyId: keyArn(deps, (await rotateKey(deps, call, keyId)).key.id) });
};
