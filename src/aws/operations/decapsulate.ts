import { keyArn } from "../../core/keys/key-id.js";
import { decapsulate as coreDecapsulate } from "../../core/crypto-ops/encapsulation.js";
import { AWS_ENCAPSULATION_ALGORITHMS, fromAws } from "../enums.js";
import { missing } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `Decapsulate`: the shared secret inside `SharedSecretCiphertextBlob`. A blob of the wrong length
 * for the key's spec is `InvalidCiphertextException`; a tampered one of the right length answers
 * ML-KEM's implicit-rejection secret, as AWS does.
 */
export const decapsulate: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const ciphertext = m.requiredBlob("SharedSecretCiphertextBlob");
  const algName = m.string("EncapsulationAlgorithm");
  if (algName === undefined) throw missing("EncapsulationAlgorithm");
  const algorithm = fromAws(AWS_ENCAPSULATION_ALGORITHMS, "EncapsulationAlgorithm", algName);
  const grantTokens = m.stringList("GrantTokens");
  return async ({ deps, call }) => {
    const out = await coreDecapsulate(deps, call, { keyRef: keyId, ciphertext, algorithm, grantTokens });
    return {
      KeyId: keyArn(deps, out.keyId),
      SharedSecret: out.sharedSecret.toString("base64"),
      EncapsulationAlgorithm: out.algorithm,
    };
  };
};
