import { listRetirableGrants as coreListRetirableGrants } from "../../core/access/grants.js";
import { grantEntry } from "./list-grants.js";
import type { Operation } from "./operation.js";
import { pageRequest, pageResponse } from "./paging.js";

/**
 * `ListRetirableGrants`: the grants on every key whose `RetiringPrincipal` is the given name, in
 * creation order, as `ListGrants` entries. Who may ask about whom is core's rule
 * (`listRetirableGrants` in `src/core/access/grants.ts`).
 */
export const listRetirableGrants: Operation = (m) => {
  const retiringPrincipal = m.requiredString("RetiringPrincipal");
  const { limit, marker } = pageRequest(m);
  return async ({ deps, call }) => {
    const page = await coreListRetirableGrants(deps, call, retiringPrincipal, limit, marker);
    return { Grants: page.items.map((g) => grantEntry(deps, g)), ...pageResponse(page) };
  };
};
