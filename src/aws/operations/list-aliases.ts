import { listAliases as coreListAliases } from "../../core/aliases/aliases.js";
import { aliasArn } from "../../core/keys/key-id.js";
import { epochSeconds } from "../json.js";
import type { Operation } from "./operation.js";
import { pageRequest, pageResponse } from "./paging.js";

/**
 * `ListAliases`, optionally of one key. Only customer aliases exist here: AWS would also list its
 * `alias/aws/…` managed-key aliases, which this service never creates.
 */
export const listAliases: Operation = (m) => {
  const keyId = m.string("KeyId");
  const { limit, marker } = pageRequest(m);
  return async ({ deps, call }) => {
    const page = await coreListAliases(deps, call, keyId || undefined, limit, marker);
    return {
      Aliases: page.items.map((a) => ({
        AliasName: a.name,
        AliasArn: aliasArn(deps, a.name),
        TargetKeyId: a.keyId,
        CreationDate: epochSeconds(a.createdAt),
        LastUpdatedDate: epochSeconds(a.updatedAt),
      })),
      ...pageResponse(page),
    };
  };
};
