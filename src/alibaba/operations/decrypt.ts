import { advanceDecrypt as coreAdvanceDecrypt, decrypt as coreDecrypt } from "../../core/crypto-ops/encryption.js";
import { RAW_ALGORITHM } from "../../core/sealing.js";
import {
  AdvanceDecryptRequestSchema,
  AdvanceDecryptResponseSchema,
  DecryptRequestSchema,
  DecryptResponseSchema,
} from "../../../gen/dkms_gcs/api_pb.js";
import { AES_GCM, checkPaddingMode, encryptionAlgorithm, refuseCallerIv, requireAesGcm, required } from "./fields.js";
import { operation } from "./operation.js";

/**
 * `Decrypt`: `KeyId` is required. With `Iv` it opens the raw form of `Encrypt`,
 * `GenerateDataKey` and `GenerateDataKeyPair*` (the key's initial version, `Algorithm` AES_GCM);
 * with an RSAES_OAEP `Algorithm`, an RSA ciphertext. Every failure to open is the same
 * `InvalidParam`, saying nothing about why.
 */
export const decrypt = operation(DecryptRequestSchema, DecryptResponseSchema, async (req, { deps, call }) => {
  checkPaddingMode(req.PaddingMode);
  const algorithm = encryptionAlgorithm(req.Algorithm);
  const rsa = algorithm !== undefined && algorithm !== "SYMMETRIC_DEFAULT";
  const out = await coreDecrypt(deps, call, {
    ciphertextBlob: required("CiphertextBlob", req.CiphertextBlob),
    keyRef: required("KeyId", req.KeyId),
    iv: req.Iv,
    algorithm: algorithm === "SYMMETRIC_DEFAULT" ? RAW_ALGORITHM : undefined,
    encryptionAlgorithm: rsa ? algorithm : undefined,
    aad: req.Aad,
    context: {},
  });
  return {
    KeyId: out.keyId,
    Plaintext: out.plaintext,
    Algorithm: req.Algorithm,
    PaddingMode: req.PaddingMode,
    RequestId: call.requestId,
  };
});

/**
 * `AdvanceDecrypt`: the ciphertext names its key and version, so `KeyId` is optional (when given,
 * it must be the ciphertext's key); `Iv` and `Algorithm` are inside the ciphertext.
 */
export const advanceDecrypt = operation(
  AdvanceDecryptRequestSchema,
  AdvanceDecryptResponseSchema,
  async (req, { deps, call }) => {
    refuseCallerIv(req.Iv);
    requireAesGcm(req.Algorithm);
    checkPaddingMode(req.PaddingMode);
    const out = await coreAdvanceDecrypt(deps, call, {
      ciphertextBlob: required("CiphertextBlob", req.CiphertextBlob),
      keyRef: req.KeyId || undefined,
      aad: req.Aad,
      context: {},
    });
    return {
      KeyId: out.keyId,
      Plaintext: out.plaintext,
      Algorithm: AES_GCM,
      PaddingMode: req.PaddingMode,
      KeyVersionId: out.versionId,
      RequestId: call.requestId,
    };
  },
);
