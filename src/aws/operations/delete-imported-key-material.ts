import { deleteImportedKeyMaterial as coreDelete } from "../../core/imports/material-removal.js";
import { keyArn } from "../../core/keys/key-id.js";
import type { Operation } from "./operation.js";

/**
 * `DeleteImportedKeyMaterial`: deletes the material `KeyMaterialId` names, or the current one;
 * the key goes to PendingImport until the same material is imported again (core decides).
 */
export const deleteImportedKeyMaterial: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const keyMaterialId = m.string("KeyMaterialId");
  return async ({ deps, call }) => {
    const out = await coreDelete(deps, call, keyId, keyMaterialId);
    return { KeyId: keyArn(deps, out.key.id), KeyMaterialId: out.keyMaterialId };
  };
};
