import { keyArn } from "../../core/keys/key-id.js";
import { deriveSharedSecret as coreDerive } from "../../core/crypto-ops/key-agreement.js";
import { KEY_AGREEMENT_ALGORITHMS } from "../../domain/algorithms.js";
import { KEY_ORIGINS } from "../../domain/key-import.js";
import { AWS_KEY_AGREEMENT_ALGORITHMS, fromAws, toAws } from "../enums.js";
import { missing, refuseUnsupported } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `DeriveSharedSecret`: ECDH between a KEY_AGREEMENT key and the peer's DER SPKI `PublicKey`;
 * `KeyAgreementAlgorithm` is required (`ECDH`, the only AWS value). The raw shared secret is
 * returned in `SharedSecret`, as AWS does without a `Recipient` (which is refused: an enclave
 * asked for the secret not to travel in the clear).
 */
export const deriveSharedSecret: Operation = (m) => {
  const keyRef = m.requiredString("KeyId");
  const algName = m.string("KeyAgreementAlgorithm");
  if (algName === undefined) throw missing("KeyAgreementAlgorithm");
  const algorithm = fromAws(AWS_KEY_AGREEMENT_ALGORITHMS, "KeyAgreementAlgorithm", algName);
  const publicKey = m.requiredBlob("PublicKey");
  const grantTokens = m.stringList("GrantTokens");
  refuseUnsupported(m, ["Recipient"]);
  return async ({ deps, call }) => {
    const out = await coreDerive(deps, call, { keyRef, algorithm, publicKey, grantTokens });
    return {
      KeyId: keyArn(deps, out.keyId),
      SharedSecret: out.sharedSecret.toString("base64"),
      KeyAgreementAlgorithm: toAws(KEY_AGREEMENT_ALGORITHMS, out.algorithm),
      KeyOrigin: toAws(KEY_ORIGINS, out.origin),
    };
  };
};
