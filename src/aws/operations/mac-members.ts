import { KmsError } from "../../domain/errors.js";
import { MAC_SPECS } from "../../domain/specs.js";
import { AWS_MAC_ALGORITHMS, fromAws, macAlgorithmFits } from "../enums.js";
import { type Members, missing } from "../json.js";

/**
 * The members `GenerateMac` and `VerifyMac` share. `MacAlgorithm` is required; a valid AWS
 * algorithm that no MAC key spec can run (e.g. HMAC_SHA_384) is `InvalidKeyUsageException`,
 * as AWS answers for an algorithm that does not fit the key spec.
 */
export function macMembers(m: Members) {
  const keyId = m.requiredString("KeyId");
  const message = m.requiredBlob("Message");
  const algName = m.string("MacAlgorithm");
  if (algName === undefined) throw missing("MacAlgorithm");
  const algorithm = fromAws(AWS_MAC_ALGORITHMS, "MacAlgorithm", algName);
  if (!macAlgorithmFits(algorithm)) {
    throw new KmsError(
      "InvalidKeyUsage",
      `MacAlgorithm ${algorithm} is not valid for key spec ${MAC_SPECS.join(", ")}.`,
    );
  }
  return { keyId, message, algorithm, grantTokens: m.stringList("GrantTokens") };
}
