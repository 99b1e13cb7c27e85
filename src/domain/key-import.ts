import type { WireNames } from "./algorithms.js";

/**
 * The vocabulary of importing key material (AWS KMS "bring your own key"): where a key's material
 * comes from, how it reaches the service wrapped, and when it stops being usable. Both surfaces map
 * their enums from these rows (`src/aws/enums.ts`, `src/api/convert.ts`).
 */

/** Where a key's material comes from: generated here, or imported by the caller. */
export const KEY_ORIGINS = {
  AWS_KMS: { proto: 1, aws: "AWS_KMS" },
  EXTERNAL: { proto: 2, aws: "EXTERNAL" },
} as const satisfies Record<string, WireNames>;
export type KeyOrigin = keyof typeof KEY_ORIGINS;

/**
 * How imported material is wrapped for transport (AWS `AlgorithmSpec`). The OAEP rows encrypt the
 * material directly with RSAES-OAEP (RFC 8017 §7.1, MGF1 with the same hash); the `RSA_AES_KEY_WRAP`
 * rows encrypt a fresh 256-bit AES key with RSAES-OAEP and the material with AES key wrap with
 * padding under it (RFC 5649), so that material longer than an OAEP block (an RSA private key) fits.
 */
export const WRAPPING_ALGORITHMS = {
  RSAES_OAEP_SHA_1: { proto: 1, aws: "RSAES_OAEP_SHA_1", hash: "sha1", aesKeyWrap: false },
  RSAES_OAEP_SHA_256: { proto: 2, aws: "RSAES_OAEP_SHA_256", hash: "sha256", aesKeyWrap: false },
  RSA_AES_KEY_WRAP_SHA_1: { proto: 3, aws: "RSA_AES_KEY_WRAP_SHA_1", hash: "sha1", aesKeyWrap: true },
  RSA_AES_KEY_WRAP_SHA_256: { proto: 4, aws: "RSA_AES_KEY_WRAP_SHA_256", hash: "sha256", aesKeyWrap: true },
} as const satisfies Record<string, WireNames & { hash: "sha1" | "sha256"; aesKeyWrap: boolean }>;
export type WrappingAlgorithm = keyof typeof WRAPPING_ALGORITHMS;

/** The RSA key that wraps material in transit (AWS `WrappingKeySpec`), by modulus length. */
export const WRAPPING_KEY_SPECS = {
  RSA_2048: { proto: 1, aws: "RSA_2048", bits: 2048 },
  RSA_3072: { proto: 2, aws: "RSA_3072", bits: 3072 },
  RSA_4096: { proto: 3, aws: "RSA_4096", bits: 4096 },
} as const satisfies Record<string, WireNames & { bits: number }>;
export type WrappingKeySpec = keyof typeof WRAPPING_KEY_SPECS;

/** Whether imported material expires (AWS `ExpirationModel`). */
export const EXPIRATION_MODELS = {
  KEY_MATERIAL_EXPIRES: { proto: 1, aws: "KEY_MATERIAL_EXPIRES" },
  KEY_MATERIAL_DOES_NOT_EXPIRE: { proto: 2, aws: "KEY_MATERIAL_DOES_NOT_EXPIRE" },
} as const satisfies Record<string, WireNames>;
export type ExpirationModel = keyof typeof EXPIRATION_MODELS;

/**
 * What an import is for (AWS `ImportType`): the key's existing material again (its first import, or
 * the same material after expiry or deletion), or new material that the next `RotateKeyOnDemand`
 * makes current (symmetric encryption keys only).
 */
export const IMPORT_TYPES = {
  EXISTING_KEY_MATERIAL: { proto: 1, aws: "EXISTING_KEY_MATERIAL" },
  NEW_KEY_MATERIAL: { proto: 2, aws: "NEW_KEY_MATERIAL" },
} as const satisfies Record<string, WireNames>;
export type ImportType = keyof typeof IMPORT_TYPES;

/**
 * Whether a key's imported material is in the service now (AWS `ImportState`): imported, or
 * waiting to be imported (never imported, deleted or expired).
 */
export const IMPORT_STATES = {
  IMPORTED: { proto: 1, aws: "IMPORTED" },
  PENDING_IMPORT: { proto: 2, aws: "PENDING_IMPORT" },
} as const satisfies Record<string, WireNames>;
export type ImportState = keyof typeof IMPORT_STATES;

/**
 * What a material is to its key (AWS `KeyMaterialState`): the current material (encrypts and
 * decrypts), an older one (decrypts only), or imported material waiting for the next on-demand
 * rotation.
 */
export const KEY_MATERIAL_STATES = {
  CURRENT: { proto: 1, aws: "CURRENT" },
  NON_CURRENT: { proto: 2, aws: "NON_CURRENT" },
  PENDING_ROTATION: { proto: 3, aws: "PENDING_ROTATION" },
} as const satisfies Record<string, WireNames>;
export type KeyMaterialState = keyof typeof KEY_MATERIAL_STATES;

/** How long an import token and its wrapping key are accepted, as in AWS KMS. */
export const IMPORT_TOKEN_TTL_MS = 24 * 3600 * 1000;
