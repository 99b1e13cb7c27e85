import { keyArn } from "../../core/keys/key-id.js";
import { sign as coreSign } from "../../core/crypto-ops/signing.js";
import { AWS_MESSAGE_TYPES, AWS_SIGNING_ALGORITHMS, fromAws } from "../enums.js";
import { missing } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `Sign`. Unlike the gRPC API, AWS requires `SigningAlgorithm`; `MessageType` defaults to RAW.
 * ECDSA signatures are DER, RSA ones raw, as AWS returns them.
 */
export const sign: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const message = m.requiredBlob("Message");
  const messageType = fromAws(AWS_MESSAGE_TYPES, "MessageType", m.string("MessageType")) ?? "RAW";
  const algName = m.string("SigningAlgorithm");
  if (algName === undefined) throw missing("SigningAlgorithm");
  const algorithm = fromAws(AWS_SIGNING_ALGORITHMS, "SigningAlgorithm", algName);
  const grantTokens = m.stringList("GrantTokens");
  return async ({ deps, call }) => {
    const out = await coreSign(deps, call, { keyRef: keyId, message, messageType, algorithm, grantTokens });
    return {
      KeyId: keyArn(deps, out.keyId),
      Signature: out.signature.toString("base64"),
      SigningAlgorithm: out.algorithm,
    };
  };
};
