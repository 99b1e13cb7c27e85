import {
  advanceGenerateDataKeyPair,
  advanceGenerateDataKeyPairWithoutPlaintext,
  generateDataKeyPairOp,
  generateDataKeyPairWithoutPlaintext,
} from "./data-key-pair.js";
import { advanceDecrypt, decrypt } from "./decrypt.js";
import { advanceEncrypt, encrypt } from "./encrypt.js";
import { advanceGenerateDataKey, generateDataKey } from "./generate-data-key.js";
import { generateRandom } from "./generate-random.js";
import { getPublicKey } from "./get-public-key.js";
import type { DkmsOperation } from "./operation.js";
import { sign, verify } from "./sign.js";

/**
 * Every `x-kms-apiname` this service answers. This table is the only way from the client-chosen
 * header to code (never a lookup by reflection on the name).
 */
export const OPERATIONS: Readonly<Record<string, DkmsOperation>> = {
  Encrypt: encrypt,
  Decrypt: decrypt,
  AdvanceEncrypt: advanceEncrypt,
  AdvanceDecrypt: advanceDecrypt,
  GenerateDataKey: generateDataKey,
  AdvanceGenerateDataKey: advanceGenerateDataKey,
  GenerateDataKeyPair: generateDataKeyPairOp,
  GenerateDataKeyPairWithoutPlaintext: generateDataKeyPairWithoutPlaintext,
  AdvanceGenerateDataKeyPair: advanceGenerateDataKeyPair,
  AdvanceGenerateDataKeyPairWithoutPlaintext: advanceGenerateDataKeyPairWithoutPlaintext,
  Sign: sign,
  Verify: verify,
  GetPublicKey: getPublicKey,
  GenerateRandom: generateRandom,
};

/**
 * Operations the dkms-gcs SDKs offer that this service deliberately does not: answered with
 * `InvalidApiName` and this reason (docs/alibaba-compatibility.md).
 */
export const NOT_OFFERED: Readonly<Record<string, string>> = {
  GetSecretValue: "GetSecretValue is not offered: this service manages keys, not secrets.",
  Hmac: "Hmac is not offered on this protocol: use GenerateMac on the kms.v1 or AWS API.",
};

/** The operation named `name`, or undefined. Own properties only: `constructor` or `__proto__` name nothing. */
export function lookupOperation(name: string): DkmsOperation | undefined {
  return Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
}
