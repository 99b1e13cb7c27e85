import { AWS_MAC_ALGORITHMS, fromAws } from "../enums.js";
import { type Members, missing } from "../json.js";

/**
 * The members `GenerateMac` and `VerifyMac` share. `MacAlgorithm` is required; a valid AWS
 * algorithm that does not fit the key's spec (HMAC_SHA_384 with an HMAC_256 key) is
 * `InvalidKeyUsageException`, decided by core once the key is known, as AWS answers.
 */
export function macMembers(m: Members) {
  const keyId = m.requiredString("KeyId");
  const message = m.requiredBlob("Message");
  const algName = m.string("MacAlgorithm");
  if (algName === undefined) throw missing("MacAlgorithm");
  const algorithm = fromAws(AWS_MAC_ALGORITHMS, "MacAlgorithm", algName);
  return { keyRef: keyId, message, algorithm, grantTokens: m.stringList("GrantTokens") };
}
