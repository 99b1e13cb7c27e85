import { importKeyMaterial as coreImport } from "../../core/imports/import-key-material.js";
import { keyArn } from "../../core/keys/key-id.js";
import { checkLength } from "../../core/validate.js";
import { AWS_EXPIRATION_MODELS, AWS_IMPORT_TYPES, fromAws } from "../enums.js";
import type { Operation } from "./operation.js";

/**
 * `ImportKeyMaterial`: the wrapped material and the token from `GetParametersForImport`.
 * `ValidTo` is an AWS timestamp (epoch seconds). Answers the key and the `KeyMaterialId` (the
 * version the material belongs to). `KeyMaterialDescription` is checked as AWS checks it
 * (up to 256 characters) and not stored.
 */
export const importKeyMaterial: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const importToken = m.requiredBlob("ImportToken");
  const encryptedKeyMaterial = m.requiredBlob("EncryptedKeyMaterial");
  const expirationModel = fromAws(AWS_EXPIRATION_MODELS, "ExpirationModel", m.string("ExpirationModel"));
  const importType = fromAws(AWS_IMPORT_TYPES, "ImportType", m.string("ImportType"));
  const validToSeconds = m.integer("ValidTo");
  const description = m.string("KeyMaterialDescription");
  if (description !== undefined) checkLength("keyMaterialDescription", description, 0, 256);
  return async ({ deps, call }) => {
    const out = await coreImport(deps, call, {
      keyRef: keyId,
      importToken,
      encryptedKeyMaterial,
      expirationModel,
      validTo: validToSeconds === undefined ? undefined : new Date(validToSeconds * 1000),
      importType,
    });
    return { KeyId: keyArn(deps, out.key.id), KeyMaterialId: out.versionId };
  };
};
