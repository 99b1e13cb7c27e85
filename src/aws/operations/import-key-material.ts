import { importKeyMaterial as coreImport } from "../../core/imports/import-key-material.js";
import { keyArn } from "../../core/keys/key-id.js";
import { AWS_EXPIRATION_MODELS, AWS_IMPORT_TYPES, fromAws } from "../enums.js";
import type { Operation } from "./operation.js";

/**
 * `ImportKeyMaterial`: the wrapped material and the token from `GetParametersForImport`.
 * `ValidTo` is an AWS timestamp (epoch seconds). `KeyMaterialId` names the material a re-import
 * must be; `KeyMaterialDescription` is stored with the material (core checks both). Answers the
 * key and the `KeyMaterialId` (the version the material belongs to).
 */
export const importKeyMaterial: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const importToken = m.requiredBlob("ImportToken");
  const encryptedKeyMaterial = m.requiredBlob("EncryptedKeyMaterial");
  const expirationModel = fromAws(AWS_EXPIRATION_MODELS, "ExpirationModel", m.string("ExpirationModel"));
  const importType = fromAws(AWS_IMPORT_TYPES, "ImportType", m.string("ImportType"));
  const validToSeconds = m.integer("ValidTo");
  const description = m.string("KeyMaterialDescription");
  const keyMaterialId = m.string("KeyMaterialId");
  return async ({ deps, call }) => {
    const out = await coreImport(deps, call, {
      keyRef: keyId,
      importToken,
      encryptedKeyMaterial,
      expirationModel,
      validTo: validToSeconds === undefined ? undefined : new Date(validToSeconds * 1000),
      importType,
      keyMaterialId,
      description,
    });
    return { KeyId: keyArn(deps, out.key.id), KeyMaterialId: out.versionId };
  };
};
