import {
  advanceEncrypt as coreAdvanceEncrypt,
  encrypt as coreEncrypt,
  type EncryptInput,
} from "../../core/encryption.js";
import {
  AdvanceEncryptRequestSchema,
  AdvanceEncryptResponseSchema,
  EncryptRequestSchema,
  EncryptResponseSchema,
} from "../../../gen/dkms_gcs/api_pb.js";
import { checkPaddingMode, encryptionAlgorithm, refuseCallerIv, required } from "./fields.js";
import { operation } from "./operation.js";

type EncryptFields = {
  KeyId: string;
  Plaintext: Uint8Array;
  Algorithm: string;
  Aad: Uint8Array;
  Iv: Uint8Array;
  PaddingMode: string;
};

function encryptInput(req: EncryptFields): EncryptInput {
  refuseCallerIv(req.Iv);
  checkPaddingMode(req.PaddingMode);
  return {
    keyRef: required("KeyId", req.KeyId),
    plaintext: required("Plaintext", req.Plaintext),
    aad: req.Aad,
    context: {},
    algorithm: encryptionAlgorithm(req.Algorithm),
  };
}

/**
 * `Encrypt`: under the key's initial version, the raw AES-GCM form with `Iv` and `Algorithm`
 * beside the ciphertext (`Decrypt` needs all three); an RSA key encrypts with RSAES-OAEP.
 */
export const encrypt = operation(EncryptRequestSchema, EncryptResponseSchema, async (req, { deps, call }) => {
  const out = await coreEncrypt(deps, call, encryptInput(req));
  return {
    KeyId: out.keyId,
    CiphertextBlob: out.ciphertextBlob,
    Iv: out.iv,
    Algorithm: out.algorithm,
    PaddingMode: req.PaddingMode,
    RequestId: call.requestId,
  };
});

/** `AdvanceEncrypt`: under the primary version, a ciphertext that names its version (survives rotation). */
export const advanceEncrypt = operation(
  AdvanceEncryptRequestSchema,
  AdvanceEncryptResponseSchema,
  async (req, { deps, call }) => {
    const out = await coreAdvanceEncrypt(deps, call, encryptInput(req));
    return {
      KeyId: out.keyId,
      CiphertextBlob: out.ciphertextBlob,
      Iv: out.iv,
      Algorithm: out.algorithm,
      PaddingMode: req.PaddingMode,
      KeyVersionId: out.versionId,
      RequestId: call.requestId,
    };
  },
);
