import { KmsError } from "../../domain/errors.js";
import { keyArn } from "../../core/keys/key-id.js";
import { verify as coreVerify } from "../../core/crypto-ops/signing.js";
import { AWS_MESSAGE_TYPES, AWS_SIGNING_ALGORITHMS, fromAws } from "../enums.js";
import { missing } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `Verify`. AWS never answers `SignatureValid: false`: a signature that does not verify is HTTP
 * 400 `KMSInvalidSignatureException` (the gRPC API, by contrast, returns `signature_valid = false`
 * from the same core call).
 */
export const verify: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const message = m.requiredBlob("Message");
  const signature = m.requiredBlob("Signature");
  const messageType = fromAws(AWS_MESSAGE_TYPES, "MessageType", m.string("MessageType")) ?? "RAW";
  const algName = m.string("SigningAlgorithm");
  if (algName === undefined) throw missing("SigningAlgorithm");
  const algorithm = fromAws(AWS_SIGNING_ALGORITHMS, "SigningAlgorithm", algName);
  const grantTokens = m.stringList("GrantTokens");
  return async ({ deps, call }) => {
    const out = await coreVerify(deps, call, {
      keyRef: keyId,
      message,
      messageType,
      algorithm,
      signature,
      grantTokens,
    });
    if (!out.valid) throw new KmsError("InvalidSignature", "The signature is not valid for this message and key.");
    return { KeyId: keyArn(deps, out.keyId), SignatureValid: true, SigningAlgorithm: out.algorithm };
  };
};
