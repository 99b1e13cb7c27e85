import { updateKeyDescription as coreUpdate } from "../../core/keys/keys.js";
import { missing } from "../json.js";
import type { Operation } from "./operation.js";

/** `UpdateKeyDescription`: `Description` is required (an empty string clears it). Empty reply. */
export const updateKeyDescription: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const description = m.string("Description");
  if (description === undefined) throw missing("Description");
  return async ({ deps, call }) => {
    await coreUpdate(deps, call, keyId, description);
    return {};
  };
};
