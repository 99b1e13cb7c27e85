import { updateAlias as coreUpdateAlias } from "../../core/aliases/aliases.js";
import type { Operation } from "./operation.js";

/** `UpdateAlias`: points an existing alias at another key. Empty reply. */
export const updateAlias: Operation = (m) => {
  const aliasName = m.requiredString("AliasName");
  const target = m.requiredString("TargetKeyId");
  return async ({ deps, call }) => {
    await coreUpdateAlias(deps, call, aliasName, target);
    return {};
  };
};
