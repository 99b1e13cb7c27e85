import { pairOperation } from "./generate-data-key-pair.js";
import type { Operation } from "./operation.js";

/** `GenerateDataKeyPairWithoutPlaintext`: the private key leaves the service only sealed. */
export const generateDataKeyPairWithoutPlaintext: Operation = (m) => pairOperation(m, false);
