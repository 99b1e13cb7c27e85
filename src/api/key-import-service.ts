import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { CoreDeps } from "../core/deps.js";
import { importKeyMaterial } from "../core/imports/import-key-material.js";
import { getParametersForImport } from "../core/imports/import-parameters.js";
import { deleteImportedKeyMaterial } from "../core/imports/material-removal.js";
import { KmsError } from "../domain/errors.js";
import { EXPIRATION_MODELS, IMPORT_TYPES, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from "../domain/key-import.js";
import type { Call } from "../edge/pipeline.js";
import type * as pb from "../../gen/kms/v1/key_service_pb.js";
import { fromProto, keyMetadata } from "./convert.js";

/**
 * The import RPCs of `kms.v1.KeyService` (GetParametersForImport, ImportKeyMaterial,
 * DeleteImportedKeyMaterial): thin mappers over `src/core/imports/`, the same calls the AWS
 * endpoint's operations make. `createKeyService` spreads these into the service.
 */
export function keyImportMethods(deps: CoreDeps) {
  return {
    async getParametersForImport(req: pb.GetParametersForImportRequest, call: Call) {
      const algorithm = fromProto(WRAPPING_ALGORITHMS, req.wrappingAlgorithm, "wrapping_algorithm");
      const spec = fromProto(WRAPPING_KEY_SPECS, req.wrappingKeySpec, "wrapping_key_spec");
      if (!algorithm || !spec) {
        throw new KmsError("InvalidArgument", "wrapping_algorithm and wrapping_key_spec are required.");
      }
      const out = await getParametersForImport(deps, call, req.keyId, algorithm, spec);
      return {
        keyId: out.key.id,
        importToken: out.importToken,
        publicKey: out.publicKey,
        parametersValidTo: timestampFromDate(out.validTo),
      };
    },
    async importKeyMaterial(req: pb.ImportKeyMaterialRequest, call: Call) {
      const out = await importKeyMaterial(deps, call, {
        keyRef: req.keyId,
        importToken: Buffer.from(req.importToken),
        encryptedKeyMaterial: Buffer.from(req.encryptedKeyMaterial),
        expirationModel: fromProto(EXPIRATION_MODELS, req.expirationModel, "expiration_model"),
        validTo: req.validTo ? timestampDate(req.validTo) : undefined,
        importType: fromProto(IMPORT_TYPES, req.importType, "import_type"),
        keyMaterialId: req.keyMaterialId || undefined,
        description: req.keyMaterialDescription,
      });
      return { key: keyMetadata(deps, out.key), keyMaterialId: out.versionId };
    },
    async deleteImportedKeyMaterial(req: pb.DeleteImportedKeyMaterialRequest, call: Call) {
      const out = await deleteImportedKeyMaterial(deps, call, req.keyId, req.keyMaterialId || undefined);
      return { key: keyMetadata(deps, out.key), keyMaterialId: out.keyMaterialId };
    },
  };
}
