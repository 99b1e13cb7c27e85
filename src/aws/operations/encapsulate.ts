import { keyArn } from "../../core/keys/key-id.js";
import { encapsulate as coreEncapsulate } from "../../core/crypto-ops/encapsulation.js";
import { AWS_ENCAPSULATION_ALGORITHMS, fromAws } from "../enums.js";
import { missing } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `Encapsulate`: a fresh 32-byte shared secret and its ML-KEM encapsulation under an
 * ENCAPSULATE_DECAPSULATE key. AWS requires `EncapsulationAlgorithm` (only `ML_KEM`).
 */
export const encapsulate: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const algName = m.string("EncapsulationAlgorithm");
  if (algName === undefined) throw missing("EncapsulationAlgorithm");
  const algorithm = fromAws(AWS_ENCAPSULATION_ALGORITHMS, "EncapsulationAlgorithm", algName);
  const grantTokens = m.stringList("GrantTokens");
  return async ({ deps, call }) => {
    const out = await coreEncapsulate(deps, call, { keyRef: keyId, algorithm, grantTokens });
    return {
      KeyId: keyArn(deps, out.keyId),
      SharedSecret: out.sharedSecret.toString("base64"),
      SharedSecretCiphertextBlob: out.ciphertext.toString("base64"),
      EncapsulationAlgorithm: out.algorithm,
    };
  };
};
