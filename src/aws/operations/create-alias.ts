import { createAlias as coreCreateAlias } from "../../core/aliases/aliases.js";
import type { Operation } from "./operation.js";

/** `CreateAlias`: the target is a key id or key ARN, never another alias. Empty reply. */
export const createAlias: Operation = (m) => {
  const aliasName = m.requiredString("AliasName");
  const target = m.requiredString("TargetKeyId");
  return async ({ deps, call }) => {
    await coreCreateAlias(deps, call, aliasName, target);
    return {};
  };
};
