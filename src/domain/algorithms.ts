/**
 * The enumerations around the key-spec catalogue (`specs.ts`): usages, algorithms, data-key specs,
 * key formats, message types and key states. Each row states its `kms.v1` enum value (`proto`, the
 * number on the wire; protobuf-es names it as the row without the Buf prefix) and, where the AWS
 * KMS API has the enum, its AWS name (`aws`), and where the Alibaba Cloud KMS-instance API names
 * it, that name (`alibaba`). The Connect mapping (`src/api/convert.ts`), the AWS mapping
 * (`src/aws/enums.ts`) and the KMS-instance mapping (`src/alibaba/operations/fields.ts`) are
 * derived from these rows and nothing else;
 * `test/unit/domain/catalogue.test.ts` proves that every value maps both ways.
 */

/** One enum value on the two wires. `proto` is absent where `kms.v1` has no such value. */
export interface WireNames {
  proto?: number;
  aws?: string;
}

/** The Alibaba Cloud KMS-instance API's name of a value, where that API has it. */
export interface AlibabaName {
  alibaba?: string;
}

/** What a key may be used for; fixed at creation. */
export const KEY_USAGES = {
  ENCRYPT_DECRYPT: { proto: 1, aws: "ENCRYPT_DECRYPT", label: "Encrypt and decrypt" },
  SIGN_VERIFY: { proto: 2, aws: "SIGN_VERIFY", label: "Sign and verify" },
  GENERATE_VERIFY_MAC: { proto: 3, aws: "GENERATE_VERIFY_MAC", label: "Generate and verify MAC" },
  KEY_AGREEMENT: { proto: 4, aws: "KEY_AGREEMENT", label: "Key agreement" },
  ENCAPSULATE_DECAPSULATE: { proto: 5, aws: "ENCAPSULATE_DECAPSULATE", label: "Encapsulate and decapsulate" },
} as const satisfies Record<string, WireNames & { label: string }>;
export type KeyUsage = keyof typeof KEY_USAGES;

/**
 * Encryption algorithms for Encrypt/Decrypt (AWS names). The RSAES-OAEP rows name the hash of
 * OAEP and its MGF1 (RFC 8017 §7.1) and its length in bytes.
 */
export const ENCRYPTION_ALGORITHMS = {
  SYMMETRIC_DEFAULT: { proto: 1, aws: "SYMMETRIC_DEFAULT", alibaba: "AES_GCM" },
  RSAES_OAEP_SHA_1: {
    proto: 2,
    aws: "RSAES_OAEP_SHA_1",
    alibaba: "RSAES_OAEP_SHA_1",
    oaep: { hash: "sha1", bytes: 20 },
  },
  RSAES_OAEP_SHA_256: {
    proto: 3,
    aws: "RSAES_OAEP_SHA_256",
    alibaba: "RSAES_OAEP_SHA_256",
    oaep: { hash: "sha256", bytes: 32 },
  },
} as const satisfies Record<string, WireNames & AlibabaName & { oaep?: { hash: string; bytes: number } }>;
export type EncryptionAlgorithm = keyof typeof ENCRYPTION_ALGORITHMS;

/**
 * Whether a Sign/Verify input is the message, its digest, or (ML-DSA only) the caller's
 * precomputed mu of FIPS 204 (AWS `EXTERNAL_MU`).
 */
export const MESSAGE_TYPES = {
  RAW: { proto: 1, aws: "RAW" },
  DIGEST: { proto: 2, aws: "DIGEST" },
  EXTERNAL_MU: { proto: 3, aws: "EXTERNAL_MU" },
} as const satisfies Record<string, WireNames>;
export type MessageType = keyof typeof MESSAGE_TYPES;

/** A digest a signing algorithm uses (Node's name). */
export type DigestHash = "sha256" | "sha384" | "sha512";

/** How a signing algorithm pads or encodes (see {@link SIGNING_ALGORITHMS}). */
export type SignaturePadding = "PSS" | "PKCS1" | "ECDSA" | "EdDSA" | "EdDSAph" | "ML_DSA";

/**
 * Signature schemes (AWS names): the digest, its length in bytes (also the PSS salt length, what
 * AWS KMS produces) and the padding (RSASSA-PSS and RSASSA-PKCS1-v1_5 of RFC 8017 §8, ECDSA, or
 * EdDSA of RFC 8032 §5.1: `EdDSA` is PureEdDSA, which hashes inside the scheme, `EdDSAph` the
 * prehashed HashEdDSA). `messageTypes` restricts the message types where AWS does: Ed25519 takes
 * RAW messages only and Ed25519ph DIGESTs only ("these message types cannot be used
 * interchangeably", AWS `Sign`). ML-DSA (FIPS 204) hashes inside the scheme with SHAKE256 and has
 * no DIGEST form; its `hashBytes` is the length of the EXTERNAL_MU input, mu (FIPS 204
 * Algorithm 7, line 6).
 */
export const SIGNING_ALGORITHMS = {
  RSASSA_PSS_SHA_256: {
    proto: 1,
    aws: "RSASSA_PSS_SHA_256",
    alibaba: "RSA_PSS_SHA_256",
    hash: "sha256",
    hashBytes: 32,
    padding: "PSS",
  },
  RSASSA_PSS_SHA_384: { proto: 2, aws: "RSASSA_PSS_SHA_384", hash: "sha384", hashBytes: 48, padding: "PSS" },
  RSASSA_PSS_SHA_512: { proto: 3, aws: "RSASSA_PSS_SHA_512", hash: "sha512", hashBytes: 64, padding: "PSS" },
  RSASSA_PKCS1_V1_5_SHA_256: {
    proto: 4,
    aws: "RSASSA_PKCS1_V1_5_SHA_256",
    alibaba: "RSA_PKCS1_SHA_256",
    hash: "sha256",
    hashBytes: 32,
    padding: "PKCS1",
  },
  RSASSA_PKCS1_V1_5_SHA_384: {
    proto: 5,
    aws: "RSASSA_PKCS1_V1_5_SHA_384",
    hash: "sha384",
    hashBytes: 48,
    padding: "PKCS1",
  },
  RSASSA_PKCS1_V1_5_SHA_512: {
    proto: 6,
    aws: "RSASSA_PKCS1_V1_5_SHA_512",
    hash: "sha512",
    hashBytes: 64,
    padding: "PKCS1",
  },
  ECDSA_SHA_256: {
    proto: 7,
    aws: "ECDSA_SHA_256",
    alibaba: "ECDSA_SHA_256",
    hash: "sha256",
    hashBytes: 32,
    padding: "ECDSA",
  },
  ECDSA_SHA_384: { proto: 8, aws: "ECDSA_SHA_384", hash: "sha384", hashBytes: 48, padding: "ECDSA" },
  ECDSA_SHA_512: { proto: 9, aws: "ECDSA_SHA_512", hash: "sha512", hashBytes: 64, padding: "ECDSA" },
  ED25519_SHA_512: {
    proto: 10,
    aws: "ED25519_SHA_512",
    hash: "sha512",
    hashBytes: 64,
    padding: "EdDSA",
    messageTypes: ["RAW"],
  },
  ED25519_PH_SHA_512: {
    proto: 11,
    aws: "ED25519_PH_SHA_512",
    hash: "sha512",
    hashBytes: 64,
    padding: "EdDSAph",
    messageTypes: ["DIGEST"],
  },
  ML_DSA_SHAKE_256: { proto: 20, aws: "ML_DSA_SHAKE_256", hash: null, hashBytes: 64, padding: "ML_DSA" },
} as const satisfies Record<
  string,
  WireNames &
    AlibabaName &
    (
      | {
          hash: DigestHash;
          hashBytes: number;
          padding: Exclude<SignaturePadding, "ML_DSA">;
          messageTypes?: readonly MessageType[];
        }
      | { hash: null; hashBytes: number; padding: "ML_DSA" }
    )
>;
export type SigningAlgorithm = keyof typeof SIGNING_ALGORITHMS;

/**
 * MAC algorithms: HMAC (RFC 2104, FIPS 198-1) over the named hash, whose output length (`bytes`)
 * is the tag's. An algorithm that does not fit the key's spec is `InvalidKeyUsage`, as AWS answers.
 */
export const MAC_ALGORITHMS = {
  HMAC_SHA_224: { proto: 2, aws: "HMAC_SHA_224", hash: "sha224", bytes: 28 },
  HMAC_SHA_256: { proto: 1, aws: "HMAC_SHA_256", hash: "sha256", bytes: 32 },
  HMAC_SHA_384: { proto: 3, aws: "HMAC_SHA_384", hash: "sha384", bytes: 48 },
  HMAC_SHA_512: { proto: 4, aws: "HMAC_SHA_512", hash: "sha512", bytes: 64 },
} as const satisfies Record<string, WireNames & { hash: "sha224" | DigestHash; bytes: number }>;
export type MacAlgorithm = keyof typeof MAC_ALGORITHMS;

/**
 * Key agreement schemes for DeriveSharedSecret: ECDH as NIST SP 800-56A §5.7.1.2 defines it, the
 * shared secret being the x-coordinate of the shared point (what AWS KMS returns).
 */
export const KEY_AGREEMENT_ALGORITHMS = {
  ECDH: { proto: 1, aws: "ECDH" },
} as const satisfies Record<string, WireNames>;
export type KeyAgreementAlgorithm = keyof typeof KEY_AGREEMENT_ALGORITHMS;

/** Key encapsulation mechanisms for Encapsulate/Decapsulate: ML-KEM (FIPS 203), AWS's only one. */
export const ENCAPSULATION_ALGORITHMS = {
  ML_KEM: { proto: 1, aws: "ML_KEM" },
} as const satisfies Record<string, WireNames>;
export type EncapsulationAlgorithm = keyof typeof ENCAPSULATION_ALGORITHMS;

/** Data keys by size (`GenerateDataKey`'s `KeySpec`). */
export const DATA_KEY_SPECS = {
  AES_256: { proto: 1, aws: "AES_256", bytes: 32 },
  AES_128: { proto: 2, aws: "AES_128", bytes: 16 },
} as const satisfies Record<string, WireNames & { bytes: number }>;
export type DataKeySpec = keyof typeof DATA_KEY_SPECS;

/** Encoding of public (SPKI) and private (PKCS#8) keys handed to callers; AWS always uses DER. */
export const KEY_FORMATS = {
  PEM: { proto: 1 },
  DER: { proto: 2 },
} as const satisfies Record<string, WireNames>;
export type KeyFormat = keyof typeof KEY_FORMATS;

/** Lifecycle state, spelled as AWS KMS spells it. */
export const KEY_STATES = {
  Enabled: { proto: 1, aws: "Enabled" },
  Disabled: { proto: 2, aws: "Disabled" },
  PendingDeletion: { proto: 3, aws: "PendingDeletion" },
  /** An `EXTERNAL`-origin key with no usable material: before its first import, after expiry or deletion. */
  PendingImport: { proto: 4, aws: "PendingImport" },
} as const satisfies Record<string, WireNames>;
export type KeyState = keyof typeof KEY_STATES;

/** The names of a table's rows, in its order. */
export function namesOf<T extends Record<string, unknown>>(table: T): (keyof T & string)[] {
  return Object.keys(table) as (keyof T & string)[];
}

/** The row named `name`, read with `Object.hasOwn`, so `__proto__` or `toString` select nothing. */
export function isName<T extends Record<string, unknown>>(table: T, name: string): name is keyof T & string {
  return Object.hasOwn(table, name);
}
