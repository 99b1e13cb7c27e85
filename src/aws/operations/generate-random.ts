import { KmsError } from "../../domain/errors.js";
import { generateRandom as coreGenerateRandom } from "../../core/crypto-ops/random.js";
import { missing, refuseUnsupported } from "../json.js";
import type { Operation } from "./operation.js";

/** `GenerateRandom`: 1..1024 bytes from the service's CSPRNG. Custom key stores do not exist here. */
export const generateRandom: Operation = (m) => {
  refuseUnsupported(m, ["Recipient"]);
  if (m.string("CustomKeyStoreId") !== undefined) {
    throw new KmsError("UnsupportedOperation", "Custom key stores are not supported.");
  }
  const numberOfBytes = m.integer("NumberOfBytes");
  if (numberOfBytes === undefined) throw missing("NumberOfBytes");
  return async ({ deps }) => {
    const bytes = coreGenerateRandom(deps, numberOfBytes);
    try {
      return { Plaintext: bytes.toString("base64") };
    } finally {
      bytes.fill(0);
    }
  };
};
