import { generateDataKey as coreGenerateDataKey } from "../../core/data-keys/data-keys.js";
import {
  AdvanceGenerateDataKeyRequestSchema,
  AdvanceGenerateDataKeyResponseSchema,
  GenerateDataKeyRequestSchema,
  GenerateDataKeyResponseSchema,
} from "../../../gen/dkms_gcs/api_pb.js";
import { AES_GCM, requireAesGcm, required } from "./fields.js";
import type { OperationContext } from "./operation.js";
import { operation } from "./operation.js";

interface DataKeyFields {
  KeyId: string;
  NumberOfBytes: number;
  Aad: Uint8Array;
  /** Only the non-advance request has it. */
  Algorithm?: string;
}

/**
 * The body both data-key operations share. `NumberOfBytes` 0 (unset) means 32, the API's
 * default; core checks 1..1024. `raw` seals under the initial version in the raw form (`Iv` and
 * `Algorithm` beside it, opened by `Decrypt`); `blob` under the primary version in a ciphertext
 * `AdvanceDecrypt` opens alone. Each response message takes the fields it has.
 */
function dataKey(form: "raw" | "blob") {
  return async (req: DataKeyFields, { deps, call }: OperationContext) => {
    if (req.Algorithm !== undefined) requireAesGcm(req.Algorithm);
    const numberOfBytes = req.NumberOfBytes === 0 ? 32 : req.NumberOfBytes;
    const input = { keyRef: required("KeyId", req.KeyId), numberOfBytes, aad: req.Aad, context: {} };
    const out = await coreGenerateDataKey(deps, call, input, true, form);
    return {
      KeyId: out.keyId,
      Iv: out.iv,
      Plaintext: out.plaintext,
      CiphertextBlob: out.ciphertextBlob,
      Algorithm: AES_GCM,
      KeyVersionId: out.versionId,
      RequestId: call.requestId,
    };
  };
}

/** `GenerateDataKey`: a random data key, and the same sealed under the key's initial version. */
export const generateDataKey = operation(GenerateDataKeyRequestSchema, GenerateDataKeyResponseSchema, dataKey("raw"));

/** `AdvanceGenerateDataKey`: sealed under the primary version. */
export const advanceGenerateDataKey = operation(
  AdvanceGenerateDataKeyRequestSchema,
  AdvanceGenerateDataKeyResponseSchema,
  dataKey("blob"),
);
