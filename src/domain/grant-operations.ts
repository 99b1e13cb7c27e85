/**
 * Every operation a grant may name (AWS `GrantOperation`), spelled as AWS spells it. In the domain
 * so that the grant rules (`src/security/grants.ts`) and the web console's grant form read one list.
 */
export const GRANT_OPERATIONS = [
  "Decrypt",
  "Encrypt",
  "GenerateDataKey",
  "GenerateDataKeyWithoutPlaintext",
  "ReEncryptFrom",
  "ReEncryptTo",
  "Sign",
  "Verify",
  "GetPublicKey",
  "CreateGrant",
  "RetireGrant",
  "DescribeKey",
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "GenerateMac",
  "VerifyMac",
  "DeriveSharedSecret",
  "Encapsulate",
  "Decapsulate",
] as const;

export type GrantOperation = (typeof GRANT_OPERATIONS)[number];
