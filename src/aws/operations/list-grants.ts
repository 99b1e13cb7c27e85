import { listGrants as coreListGrants } from "../../core/access/grants.js";
import { keyArn } from "../../core/keys/key-id.js";
import type { GrantRecord } from "../../domain/security-records.js";
import { epochSeconds, type JsonObject } from "../json.js";
import type { Operation } from "./operation.js";
import { pageRequest, pageResponse } from "./paging.js";

/** A grant as AWS's `GrantListEntry` (never its token or token hash). */
export function grantEntry(deps: Parameters<typeof keyArn>[0], g: GrantRecord): JsonObject {
  const c = g.constraints;
  return {
    KeyId: keyArn(deps, g.keyId),
    GrantId: g.grantId,
    ...(g.name ? { Name: g.name } : {}),
    CreationDate: epochSeconds(g.createdAt),
    GranteePrincipal: g.grantee,
    ...(g.retiringPrincipal ? { RetiringPrincipal: g.retiringPrincipal } : {}),
    IssuingAccount: g.createdBy,
    Operations: [...g.operations],
    ...(c
      ? {
          Constraints: {
            ...(c.encryptionContextEquals ? { EncryptionContextEquals: { ...c.encryptionContextEquals } } : {}),
            ...(c.encryptionContextSubset ? { EncryptionContextSubset: { ...c.encryptionContextSubset } } : {}),
          },
        }
      : {}),
  };
}

/** `ListGrants` of one key, optionally one grant or one grantee's. */
export const listGrants: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const grantId = m.string("GrantId");
  const grantee = m.string("GranteePrincipal");
  const { limit, marker } = pageRequest(m);
  return async ({ deps, call }) => {
    const page = await coreListGrants(deps, call, keyId, { grantId, grantee }, limit, marker);
    return { Grants: page.items.map((g) => grantEntry(deps, g)), ...pageResponse(page) };
  };
};
