import { deleteImportedKeyMaterial as coreDelete } from "../../core/imports/material-removal.js";
import { keyArn } from "../../core/keys/key-id.js";
import type { Operation } from "./operation.js";

/** `DeleteImportedKeyMaterial`: the key goes to PendingImport until the same material is imported again. */
export const deleteImportedKeyMaterial: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  m.string("KeyMaterialId");
  return async ({ deps, call }) => ({ KeyId: keyArn(deps, (await coreDelete(deps, call, keyId)).id) });
};
