import {
  advanceEncrypt as coreAdvanceEncrypt,
  encrypt as coreEncrypt,
  type EncryptInput,
  type EncryptOutput,
} from "../../core/crypto-ops/encryption.js";
import {
  type AdvanceEncryptRequest,
  AdvanceEncryptRequestSchema,
  AdvanceEncryptResponseSchema,
  type EncryptRequest,
  EncryptRequestSchema,
  EncryptResponseSchema,
} from "../../../gen/dkms_gcs/api_pb.js";
import { checkPaddingMode, encryptionAlgorithm, refuseCallerIv, required } from "./fields.js";
import type { OperationContext } from "./operation.js";
import { operation } from "./operation.js";

type EncryptFields = EncryptRequest | AdvanceEncryptRequest;

type CoreEncrypt = (
  deps: OperationContext["deps"],
  call: OperationContext["call"],
  input: EncryptInput,
) => Promise<EncryptOutput>;

/** The body Encrypt and AdvanceEncrypt share; each response message takes the fields it has. */
function sealWith(coreCall: CoreEncrypt) {
  return async (req: EncryptFields, { deps, call }: OperationContext) => {
    refuseCallerIv(req.Iv);
    checkPaddingMode(req.PaddingMode);
    const out = await coreCall(deps, call, {
      keyRef: required("KeyId", req.KeyId),
      plaintext: required("Plaintext", req.Plaintext),
      aad: req.Aad,
      context: {},
      algorithm: encryptionAlgorithm(req.Algorithm),
    });
    return {
      KeyId: out.keyId,
      CiphertextBlob: out.ciphertextBlob,
      Iv: out.iv,
      Algorithm: out.algorithm,
      PaddingMode: req.PaddingMode,
      KeyVersionId: out.versionId,
      RequestId: call.requestId,
    };
  };
}

/**
 * `Encrypt`: under the key's initial version, the raw AES-GCM form with `Iv` and `Algorithm`
 * beside the ciphertext (`Decrypt` needs all three); an RSA key encrypts with RSAES-OAEP.
 */
export const encrypt = operation(EncryptRequestSchema, EncryptResponseSchema, sealWith(coreEncrypt));

/** `AdvanceEncrypt`: under the primary version, a ciphertext that names its version (survives rotation). */
export const advanceEncrypt = operation(
  AdvanceEncryptRequestSchema,
  AdvanceEncryptResponseSchema,
  sealWith(coreAdvanceEncrypt),
);
