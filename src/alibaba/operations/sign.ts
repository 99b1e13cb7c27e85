import { sign as coreSign, verify as coreVerify } from "../../core/crypto-ops/signing.js";
import {
  SignRequestSchema,
  SignResponseSchema,
  VerifyRequestSchema,
  VerifyResponseSchema,
} from "../../../gen/dkms_gcs/api_pb.js";
import { required, signedInput, signingAlgorithm } from "./fields.js";
import { operation } from "./operation.js";

type SignFields = { KeyId: string; Digest: Uint8Array; Algorithm: string; Message: Uint8Array; MessageType: string };

/** What Sign and Verify both take: the key, what is signed and how, the algorithm in core's name. */
function signInput(req: SignFields) {
  return { keyRef: required("KeyId", req.KeyId), ...signedInput(req), algorithm: signingAlgorithm(req.Algorithm) };
}

/**
 * `Sign` with a SIGN_VERIFY key: `Algorithm` RSA_PSS_SHA_256, RSA_PKCS1_SHA_256 or ECDSA_SHA_256
 * (ECDSA signatures are DER, as the SDKs' verifiers expect).
 */
export const sign = operation(SignRequestSchema, SignResponseSchema, async (req, { deps, call }) => {
  const input = signInput(req);
  const out = await coreSign(deps, call, input);
  const { keyId: KeyId, signature: Signature } = out;
  return { KeyId, Signature, Algorithm: req.Algorithm, MessageType: input.messageType, RequestId: call.requestId };
});

/** `Verify`: a signature that does not verify is `Value: false`, not an error (as the API answers). */
export const verify = operation(VerifyRequestSchema, VerifyResponseSchema, async (req, { deps, call }) => {
  const input = signInput(req);
  const out = await coreVerify(deps, call, { ...input, signature: required("Signature", req.Signature) });
  return {
    KeyId: out.keyId,
    Value: out.valid,
    Algorithm: req.Algorithm,
    MessageType: input.messageType,
    RequestId: call.requestId,
  };
});
