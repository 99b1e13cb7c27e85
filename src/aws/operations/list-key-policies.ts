import { keyFor } from "../../core/access/authorized-key.js";
import type { Operation } from "./operation.js";
import { pageRequest } from "./paging.js";

/**
 * `ListKeyPolicies`: every key has exactly one policy, named `default` (AWS's only policy name),
 * so the list is `["default"]` on one page. Needs access to the key like `GetKeyPolicy`.
 */
export const listKeyPolicies: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  pageRequest(m);
  return async ({ deps, call }) => {
    await keyFor(deps, call, keyId, "ListKeyPolicies");
    return { PolicyNames: ["default"], Truncated: false };
  };
};
