import { keyArn } from "../../core/keys/key-id.js";
import { rotateKey } from "../../core/rotation/rotation.js";
import type { Operation } from "./operation.js";

/**
 * `RotateKeyOnDemand`: a new primary version at once (AWS rotates asynchronously; here the
 * rotation is done when the reply arrives). The automatic schedule (`NextRotationDate`,
 * `RotationPeriodInDays`) stays as it was; the 11th on-demand rotation of a key is
 * `LimitExceededException`, as in AWS. A key with imported material rotates to the material
 * imported with `ImportType: NEW_KEY_MATERIAL`.
 */
export const rotateKeyOnDemand: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  return async ({ deps, call }) => ({ KeyId: keyArn(deps, (await rotateKey(deps, call, keyId)).key.id) });
};
