import { revokeGrant as coreRevokeGrant } from "../../core/access/grants.js";
import type { Operation } from "./operation.js";

/** `RevokeGrant`: needs `kms:RevokeGrant` on the key. */
export const revokeGrant: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const grantId = m.requiredString("GrantId");
  return async ({ deps, call }) => {
    await coreRevokeGrant(deps, call, keyId, grantId);
    return {};
  };
};
