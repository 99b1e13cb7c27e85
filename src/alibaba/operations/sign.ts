import { sign as coreSign, verify as coreVerify } from "../../core/signing.js";
import {
  SignRequestSchema,
  SignResponseSchema,
  VerifyRequestSchema,
  VerifyResponseSchema,
} from "../../../gen/dkms_gcs/api_pb.js";
import { required, signedInput, signingAlgorithm } from "./fields.js";
import { operation } from "./operation.js";

/**
 * `Sign` with a SIGN_VERIFY key: `Algorithm` RSA_PSS_SHA_256, RSA_PKCS1_SHA_256 or ECDSA_SHA_256
 * (ECDSA signatures are DER, as the SDKs' verifiers expect).
 */
export const sign = operation(SignRequestSchema, SignResponseSchema, async (req, { deps, call }) => {
  const { message, messageType } = signedInput(req);
  const out = await coreSign(deps, call, {
    keyRef: required("KeyId", req.KeyId),
    message,
    messageType,
    algorithm: signingAlgorithm(req.Algorithm),
  });
  return {
    KeyId: out.keyId,
    Signature: out.signature,
    Algorithm: req.Algorithm,
    MessageType: messageType,
    RequestId: call.requestId,
  };
});

/** `Verify`: a signature that does not verify is `Value: false`, not an error (as the API answers). */
export const verify = operation(VerifyRequestSchema, VerifyResponseSchema, async (req, { deps, call }) => {
  const { message, messageType } = signedInput(req);
  const out = await coreVerify(deps, call, {
    keyRef: required("KeyId", req.KeyId),
    message,
    messageType,
    algorithm: signingAlgorithm(req.Algorithm),
    signature: required("Signature", req.Signature),
  });
  return {
    KeyId: out.keyId,
    Value: out.valid,
    Algorithm: req.Algorithm,
    MessageType: messageType,
    RequestId: call.requestId,
  };
});
