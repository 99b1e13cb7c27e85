import { dataKeyOperation } from "./generate-data-key.js";
import type { Operation } from "./operation.js";

/** `GenerateDataKeyWithoutPlaintext` (the AWS seed): only the encrypted copy leaves the service. */
export const generateDataKeyWithoutPlaintext: Operation = (m) => dataKeyOperation(m, false);
