import { generateDataKey as coreGenerateDataKey } from "../../core/data-keys.js";
import { RAW_ALGORITHM } from "../../core/encryption.js";
import {
  AdvanceGenerateDataKeyRequestSchema,
  AdvanceGenerateDataKeyResponseSchema,
  GenerateDataKeyRequestSchema,
  GenerateDataKeyResponseSchema,
} from "../../../gen/dkms_gcs/api_pb.js";
import { requireAesGcm, required } from "./fields.js";
import { operation } from "./operation.js";

/** `NumberOfBytes` 0 (unset) means 32, the API's default; core checks 1..1024. */
const dataKeySize = (n: number) => (n === 0 ? 32 : n);

/**
 * `GenerateDataKey`: a random data key, and the same sealed under the key's initial version in
 * the raw form (`Iv` and `Algorithm` beside it, opened by `Decrypt`).
 */
export const generateDataKey = operation(
  GenerateDataKeyRequestSchema,
  GenerateDataKeyResponseSchema,
  async (req, { deps, call }) => {
    requireAesGcm(req.Algorithm);
    const input = {
      keyRef: required("KeyId", req.KeyId),
      numberOfBytes: dataKeySize(req.NumberOfBytes),
      aad: req.Aad,
      context: {},
    };
    const out = await coreGenerateDataKey(deps, call, input, true, "raw");
    return {
      KeyId: out.keyId,
      Iv: out.iv,
      Plaintext: out.plaintext,
      CiphertextBlob: out.ciphertextBlob,
      Algorithm: RAW_ALGORITHM,
      RequestId: call.requestId,
    };
  },
);

/** `AdvanceGenerateDataKey`: sealed under the primary version in a ciphertext `AdvanceDecrypt` opens alone. */
export const advanceGenerateDataKey = operation(
  AdvanceGenerateDataKeyRequestSchema,
  AdvanceGenerateDataKeyResponseSchema,
  async (req, { deps, call }) => {
    const input = {
      keyRef: required("KeyId", req.KeyId),
      numberOfBytes: dataKeySize(req.NumberOfBytes),
      aad: req.Aad,
      context: {},
    };
    const out = await coreGenerateDataKey(deps, call, input, true, "blob");
    return {
      KeyId: out.keyId,
      Iv: out.iv,
      Plaintext: out.plaintext,
      CiphertextBlob: out.ciphertextBlob,
      Algorithm: RAW_ALGORITHM,
      KeyVersionId: out.versionId,
      RequestId: call.requestId,
    };
  },
);
