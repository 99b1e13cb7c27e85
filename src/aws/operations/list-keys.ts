import { keyArn } from "../../core/keys/key-id.js";
import { listKeys as coreListKeys } from "../../core/keys/keys.js";
import type { Operation } from "./operation.js";
import { pageRequest, pageResponse } from "./paging.js";

/** `ListKeys`: `{KeyId, KeyArn}` per key, in creation order. */
export const listKeys: Operation = (m) => {
  const { limit, marker } = pageRequest(m);
  return async ({ deps, call }) => {
    const page = await coreListKeys(deps, call, limit, marker);
    return { Keys: page.items.map((k) => ({ KeyId: k.id, KeyArn: keyArn(deps, k.id) })), ...pageResponse(page) };
  };
};
