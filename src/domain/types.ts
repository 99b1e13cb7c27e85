import type { KeyState, KeyUsage } from "./algorithms.js";
import type { ExpirationModel, KeyOrigin } from "./key-import.js";
import type { KeySpec } from "./specs.js";

/**
 * Domain types shared by core, crypto and store; the enumerations come from the key-spec catalogue
 * (`specs.ts`, `algorithms.ts`). They are transport-free: the Connect services
 * and the AWS adapter map their wire types onto these, so the two APIs cannot drift.
 */

export type {
  DataKeySpec,
  EncryptionAlgorithm,
  KeyFormat,
  KeyState,
  KeyUsage,
  KeyAgreementAlgorithm,
  MacAlgorithm,
  MessageType,
  SigningAlgorithm,
} from "./algorithms.js";
export type { KeyPairSpec, KeySpec } from "./specs.js";

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
  /**
   * Versions created before this one are retired: decryption refuses them, ReEncrypt still reads
   * them until `TrimKeyVersions` destroys them. Null (or absent) when every version decrypts.
   */
  minDecryptionVersionId?: string | null;
  /**
   * `EXTERNAL` when the material was imported (a seed file, or `ImportKeyMaterial`) rather than generated here, as AWS
   * reports `Origin`; absent for generated material (`AWS_KMS`).
   */
  origin?: KeyOrigin;
  /**
   * For imported material, a summary of the material the key depends on (every version but one
   * pending rotation) that is present: `KEY_MATERIAL_EXPIRES` when any of it expires, and the
   * earliest expiry — what AWS `KeyMetadata` reports. Null when none is present. Each material's
   * own terms are on its version (`KeyVersionRecord.expirationModel`, `validTo`).
   */
  expirationModel?: ExpirationModel | null;
  materialExpiresAt?: Date | null;
  /** An imported version waiting for `RotateKeyOnDemand` to make it primary (`ImportType` NEW_KEY_MATERIAL). */
  pendingVersionId?: string | null;
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
  /** When `TrimKeyVersions` destroyed this version's material (then empty); null while it exists. */
  trimmedAt?: Date | null;
  /**
   * For imported material: SHA-256 over the key id, version id and material, kept when the material
   * is deleted or expires so that a re-import can be checked to be the same material. Null
   * otherwise. An empty `wrappedMaterial` means the imported material is currently absent.
   */
  materialDigest?: Buffer | null;
  /**
   * For imported material that is present: whether it expires, and when (AWS `ExpirationModel`,
   * `ValidTo`, per material). Null (or absent) while the material is absent, and for generated material.
   */
  expirationModel?: ExpirationModel | null;
  validTo?: Date | null;
  /** The caller's description of imported material (AWS `KeyMaterialDescription`); kept while the version exists. */
  materialDescription?: string | null;
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
