/**
 * Domain types shared by core, crypto and store. They are transport-free: the Connect services
 * and the AWS adapter map their wire types onto these, so the two APIs cannot drift.
 */

/** Cryptographic kind of a KMS key (the proto `KeySpec` without its prefix). */
export type KeySpec = "AES_256" | "RSA_2048" | "RSA_3072" | "RSA_4096" | "EC_P256" | "EC_P256K" | "HMAC_256";

/** What a key may be used for; fixed at creation. */
export type KeyUsage = "ENCRYPT_DECRYPT" | "SIGN_VERIFY" | "GENERATE_VERIFY_MAC";

/** Lifecycle state, spelled as AWS KMS spells it. */
export type KeyState = "Enabled" | "Disabled" | "PendingDeletion";

/** The kind of an asymmetric data key pair. */
export type KeyPairSpec = "RSA_2048" | "RSA_3072" | "RSA_4096" | "EC_P256" | "EC_P256K";

/** Encoding of public (SPKI) and private (PKCS#8) keys handed to callers. */
export type KeyFormat = "PEM" | "DER";

/** Signature schemes (AWS names). */
export type SigningAlgorithm =
  | "RSASSA_PSS_SHA_256"
  | "RSASSA_PSS_SHA_384"
  | "RSASSA_PSS_SHA_512"
  | "RSASSA_PKCS1_V1_5_SHA_256"
  | "RSASSA_PKCS1_V1_5_SHA_384"
  | "RSASSA_PKCS1_V1_5_SHA_512"
  | "ECDSA_SHA_256";

/** Encryption algorithms for Encrypt/Decrypt (AWS names). */
export type EncryptionAlgorithm = "SYMMETRIC_DEFAULT" | "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256";

/** Whether a Sign/Verify input is the message or its digest. */
export type MessageType = "RAW" | "DIGEST";

/** AWS-style encryption context: a string map bound into the AEAD's additional data. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** A key's persistent metadata. Never holds key material. */
export interface KeyRecord {
  id: string;
  description: string;
  spec: KeySpec;
  usage: KeyUsage;
  state: KeyState;
  createdAt: Date;
  /** When a PendingDeletion key is destroyed; null in other states. */
  deletionAt: Date | null;
  initialVersionId: string;
  primaryVersionId: string;
  rotationEnabled: boolean;
  /** The automatic-rotation period; null when never set. */
  rotationPeriodDays: number | null;
  /** When the scheduler rotates the key next; null when automatic rotation is off. */
  nextRotationAt: Date | null;
  tags: Record<string, string>;
}

/** Why a version after the initial one was made, as AWS `ListKeyRotations` reports it. */
export type RotationType = "AUTOMATIC" | "ON_DEMAND";

/**
 * One version of a key. `wrappedMaterial` is the version's secret material sealed under the
 * root key (AAD = key id ‖ version id); `publicKey` is the SPKI DER of asymmetric versions.
 */
export interface KeyVersionRecord {
  keyId: string;
  versionId: string;
  createdAt: Date;
  wrappedMaterial: Buffer;
  publicKey: Buffer | null;
  /**
   * `AUTOMATIC` for a version the scheduler made, `ON_DEMAND` for one a caller asked for; null
   * (or absent) for a key's initial version and for versions stored before migration 003.
   */
  rotationType?: RotationType | null;
}

/** An alias (`alias/<name>`) bound to exactly one key. */
export interface AliasRecord {
  name: string;
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** One page of a listing; `nextToken` is opaque to callers and null on the last page. */
export interface Page<T> {
  items: T[];
  nextToken: string | null;
}
