import type {
  EncryptionAlgorithm,
  KeyPairSpec,
  KeySpec,
  KeyUsage,
  MessageType,
  SigningAlgorithm,
} from "../domain/types.js";
import { invalidField } from "../core/validate.js";
import { memberField } from "./json.js";

/**
 * AWS enum spellings ↔ core's. AWS calls AES-256 `SYMMETRIC_DEFAULT` and the curves
 * `ECC_NIST_P256` / `ECC_SECG_P256K1`; the other names coincide. Only values this service
 * implements are listed: any other value, including ones AWS knows (`ECC_NIST_P384`, `SM2`, …),
 * is a `ValidationException` naming the accepted set.
 */
export const AWS_KEY_SPECS = {
  SYMMETRIC_DEFAULT: "AES_256",
  RSA_2048: "RSA_2048",
  RSA_3072: "RSA_3072",
  RSA_4096: "RSA_4096",
  ECC_NIST_P256: "EC_P256",
  ECC_SECG_P256K1: "EC_P256K",
  HMAC_256: "HMAC_256",
} as const satisfies Record<string, KeySpec>;

export const AWS_PAIR_SPECS = {
  RSA_2048: "RSA_2048",
  RSA_3072: "RSA_3072",
  RSA_4096: "RSA_4096",
  ECC_NIST_P256: "EC_P256",
  ECC_SECG_P256K1: "EC_P256K",
} as const satisfies Record<string, KeyPairSpec>;

export const AWS_KEY_USAGES = {
  ENCRYPT_DECRYPT: "ENCRYPT_DECRYPT",
  SIGN_VERIFY: "SIGN_VERIFY",
  GENERATE_VERIFY_MAC: "GENERATE_VERIFY_MAC",
} as const satisfies Record<string, KeyUsage>;

export const AWS_DATA_KEY_SPECS = { AES_256: "AES_256", AES_128: "AES_128" } as const;

export const AWS_ENCRYPTION_ALGORITHMS = {
  SYMMETRIC_DEFAULT: "SYMMETRIC_DEFAULT",
  RSAES_OAEP_SHA_1: "RSAES_OAEP_SHA_1",
  RSAES_OAEP_SHA_256: "RSAES_OAEP_SHA_256",
} as const satisfies Record<string, EncryptionAlgorithm>;

export const AWS_SIGNING_ALGORITHMS = {
  RSASSA_PSS_SHA_256: "RSASSA_PSS_SHA_256",
  RSASSA_PSS_SHA_384: "RSASSA_PSS_SHA_384",
  RSASSA_PSS_SHA_512: "RSASSA_PSS_SHA_512",
  RSASSA_PKCS1_V1_5_SHA_256: "RSASSA_PKCS1_V1_5_SHA_256",
  RSASSA_PKCS1_V1_5_SHA_384: "RSASSA_PKCS1_V1_5_SHA_384",
  RSASSA_PKCS1_V1_5_SHA_512: "RSASSA_PKCS1_V1_5_SHA_512",
  ECDSA_SHA_256: "ECDSA_SHA_256",
} as const satisfies Record<string, SigningAlgorithm>;

export const AWS_MESSAGE_TYPES = { RAW: "RAW", DIGEST: "DIGEST" } as const satisfies Record<string, MessageType>;

/**
 * AWS MAC algorithms. All four are valid AWS values; core's HMAC_256 keys take only
 * HMAC_SHA_256, and AWS answers a valid algorithm that does not fit the key with
 * `InvalidKeyUsageException` (see {@link macAlgorithmFits}).
 */
export const AWS_MAC_ALGORITHMS = {
  HMAC_SHA_224: "HMAC_SHA_224",
  HMAC_SHA_256: "HMAC_SHA_256",
  HMAC_SHA_384: "HMAC_SHA_384",
  HMAC_SHA_512: "HMAC_SHA_512",
} as const;

/**
 * Maps an AWS enum value through one of the tables above. The table is read with
 * `Object.hasOwn`, so a value like `__proto__` or `toString` can never select anything.
 */
export function fromAws<M extends Record<string, string>>(table: M, member: string, value: string): M[keyof M];
export function fromAws<M extends Record<string, string>>(
  table: M,
  member: string,
  value: string | undefined,
): M[keyof M] | undefined;
export function fromAws<M extends Record<string, string>>(
  table: M,
  member: string,
  value: string | undefined,
): M[keyof M] | undefined {
  if (value === undefined) return undefined;
  if (!Object.hasOwn(table, value)) {
    throw invalidField(memberField(member), `satisfy enum value set: [${Object.keys(table).join(", ")}]`, value);
  }
  return table[value as keyof M];
}

/** Core key spec → the AWS name (`KeySpec` and the legacy `CustomerMasterKeySpec`). */
export function awsKeySpec(spec: KeySpec): keyof typeof AWS_KEY_SPECS {
  return reverse(AWS_KEY_SPECS, spec);
}

/** Core pair spec → the AWS `DataKeyPairSpec` name. */
export function awsPairSpec(spec: KeyPairSpec): keyof typeof AWS_PAIR_SPECS {
  return reverse(AWS_PAIR_SPECS, spec);
}

function reverse<M extends Record<string, string>>(table: M, value: string): keyof M & string {
  const found = Object.keys(table).find((k) => table[k] === value);
  if (found === undefined) throw new Error(`no AWS name for ${value}`);
  return found;
}

/** The one MAC algorithm core implements. */
export function macAlgorithmFits(alg: keyof typeof AWS_MAC_ALGORITHMS): boolean {
  return alg === "HMAC_SHA_256";
}
