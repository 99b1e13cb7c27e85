import { deleteAlias as coreDeleteAlias } from "../../core/aliases/aliases.js";
import type { Operation } from "./operation.js";

/** `DeleteAlias`; the key itself is untouched. Empty reply. */
export const deleteAlias: Operation = (m) => {
  const aliasName = m.requiredString("AliasName");
  return async ({ deps, call }) => {
    await coreDeleteAlias(deps, call, aliasName);
    return {};
  };
};
