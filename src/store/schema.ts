import type { ColumnType } from "kysely";
import type { ExpirationModel, KeyOrigin } from "../domain/key-import.js";
import type { KeySpec, KeyState, KeyUsage, RotationType } from "../domain/types.js";

/**
 * An epoch-milliseconds column stored as `bigint`. PostgreSQL's driver returns `int8` as a string
 * (it may exceed 2^53), SQLite's as a number; our values are dates, far below 2^53, so the row
 * mappers convert with `Number()`.
 */
export type EpochMs = ColumnType<number | string, number, number>;

/** As {@link EpochMs}, for dates that may be absent. */
export type NullableEpochMs = ColumnType<number | string | null, number | null, number | null>;

/** A binary column: `blob` on SQLite, `bytea` on PostgreSQL; both drivers return a Buffer. */
export type Bytes = Buffer;

/** `kms_keys`: a key's metadata. Never holds key material. */
export interface KeysTable {
  id: string;
  description: string;
  spec: KeySpec;
  usage: KeyUsage;
  state: KeyState;
  created_at: EpochMs;
  deletion_at: NullableEpochMs;
  initial_version_id: string;
  primary_version_id: string;
  /** 0 or 1: an integer reads the same on both dialects (SQLite has no boolean type). */
  rotation_enabled: number;
  rotation_period_days: number | null;
  next_rotation_at: NullableEpochMs;
  /** The tag map as JSON text. */
  tags: string;
  /** Migration 005: versions created before this one are retired; null when none is. */
  min_decryption_version_id: string | null;
  /** Migration 005: `EXTERNAL` for imported material (seeded or `ImportKeyMaterial`); null when generated here. */
  origin: KeyOrigin | null;
  /**
   * Migration 006: a version pending rotation, and (since migration 007) a summary of the terms of
   * the imported material the key depends on: whether any expires, and the earliest expiry.
   */
  expiration_model: ExpirationModel | null;
  material_expires_at: NullableEpochMs;
  pending_version_id: string | null;
}

/** `kms_key_versions`: one version's material, wrapped under the root key. */
export interface KeyVersionsTable {
  key_id: string;
  version_id: string;
  created_at: EpochMs;
  wrapped_material: Bytes;
  public_key: Bytes | null;
  /** Migration 003: `AUTOMATIC` or `ON_DEMAND`; null for initial versions and older rows. */
  rotation_type: RotationType | null;
  /** Migration 005: when the version's material was destroyed; null while it exists. */
  trimmed_at: NullableEpochMs;
  /** Migration 006: the digest of imported material; null for generated material. */
  material_digest: Bytes | null;
  /** Migration 007: the terms of the material's current import; null while it is absent. */
  expiration_model: ExpirationModel | null;
  valid_to: NullableEpochMs;
  /** Migration 007: the caller's description of imported material (`KeyMaterialDescription`). */
  material_description: string | null;
}

/** `kms_aliases`: alias name → key id. */
export interface AliasesTable {
  name: string;
  key_id: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** `kms_meta`: small service-wide values (for example the root key's check value). */
export interface MetaTable {
  name: string;
  value: string;
}

/** `kms_principals` (migration 002): who may call; credentials only as a hash and a wrapped secret. */
export interface PrincipalsTable {
  name: string;
  /** 0 or 1. */
  is_admin: number;
  /** Hex SHA-256 of the bearer token; unique. */
  token_hash: string;
  access_key_id: string;
  /** The SigV4 secret sealed under the root key. */
  wrapped_secret: Bytes;
  created_at: EpochMs;
}

/** `kms_key_policies` (migration 002): one JSON policy document per key. */
export interface KeyPoliciesTable {
  key_id: string;
  policy: string;
  updated_at: EpochMs;
}

/** `kms_grants` (migration 002). */
export interface GrantsTable {
  grant_id: string;
  key_id: string;
  grantee: string;
  retiring_principal: string | null;
  /** JSON array of operation names. */
  operations: string;
  /** JSON `GrantConstraints`, or null. */
  constraints: string | null;
  name: string | null;
  /** Hex SHA-256 of the grant token; unique. */
  token_hash: string;
  created_by: string;
  created_at: EpochMs;
}

/** `kms_client_keys` (migration 004): Alibaba-protocol ClientKeys, as their certificates only. */
export interface ClientKeysTable {
  key_id: string;
  principal: string;
  /** PEM. */
  certificate: string;
  not_after: EpochMs;
  created_at: EpochMs;
}

/** A `bigint` column PostgreSQL returns as a string and SQLite as a number (see {@link EpochMs}). */
export type Int64 = ColumnType<number | string, number, never>;

/** `kms_audit` (migration 002): the append-only, hash-chained audit trail. */
export interface AuditTable {
  /** Numbered by the database on insert since migration 008. */
  seq: ColumnType<number | string, never, never>;
  at: EpochMs;
  principal: string;
  operation: string;
  key_id: string | null;
  request_id: string;
  outcome: "ok" | "error";
  error_code: string | null;
  /** Migration 005: a batch call's item count; null for other calls. */
  item_count: ColumnType<number | string | null, number | null, never>;
  prev_hash: string;
  hash: string;
  /** Migration 008: the chain the record extends (`""`: the shared chain of older records). */
  writer: ColumnType<string, string, never>;
  /** Migration 008: the record's place in its writer's chain. */
  writer_seq: ColumnType<number | string, number, never>;
}

/** `kms_root_keys` (migration 009): the root keyring; never holds a root key in the clear. */
export interface RootKeysTable {
  id: string;
  kind: "raw" | "pkcs11";
  label: string | null;
  wrapped: Bytes | null;
  wrapped_by: string | null;
  created_at: EpochMs;
  retired_at: NullableEpochMs;
}

/** The Kysely database type of the store; the migrations under `migrations/` create exactly this. */
export interface Database {
  kms_keys: KeysTable;
  kms_key_versions: KeyVersionsTable;
  kms_aliases: AliasesTable;
  kms_meta: MetaTable;
  kms_principals: PrincipalsTable;
  kms_key_policies: KeyPoliciesTable;
  kms_grants: GrantsTable;
  kms_audit: AuditTable;
  kms_client_keys: ClientKeysTable;
  kms_root_keys: RootKeysTable;
}

/** Which SQL dialect serves a store. */
export type StoreDialect = "sqlite" | "postgres";
