import { retireGrant as coreRetireGrant } from "../../core/access/grants.js";
import type { Operation } from "./operation.js";

/** `RetireGrant` by `GrantToken`, or by `KeyId` and `GrantId`. */
export const retireGrant: Operation = (m) => {
  const grantToken = m.string("GrantToken");
  const keyId = m.string("KeyId");
  const grantId = m.string("GrantId");
  return async ({ deps, call }) => {
    await coreRetireGrant(deps, call, { grantToken, keyRef: keyId, grantId });
    return {};
  };
};
