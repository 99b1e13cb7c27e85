import { retireGrant as coreRetireGrant } from "../../core/access/grants.js";
import type { Operation } from "./operation.js";

/**
 * `RetireGrant` by `GrantToken`, or by `KeyId` and `GrantId`. `DryRun` is decided in core, since
 * who may retire depends on the grant itself (its retiring or grantee principal), not on the key.
 */
export const retireGrant: Operation = (m) => {
  const grantToken = m.string("GrantToken");
  const keyId = m.string("KeyId");
  const grantId = m.string("GrantId");
  const dryRun = m.boolean("DryRun") === true;
  return async ({ deps, call }) => {
    await coreRetireGrant(deps, call, { grantToken, keyRef: keyId, grantId }, { dryRun });
    return {};
  };
};
