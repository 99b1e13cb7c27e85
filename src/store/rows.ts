import type { Insertable, Selectable } from "kysely";
import type { AliasRecord, KeyRecord, KeyVersionRecord } from "../domain/types.js";
import type { AliasesTable, KeysTable, KeyVersionsTable } from "./schema.js";

/** Reads a `bigint` epoch-ms column; PostgreSQL hands `int8` over as a string. */
function toDate(value: number | string): Date {
  return new Date(Number(value));
}

function toNullableDate(value: number | string | null): Date | null {
  return value === null ? null : toDate(value);
}

function toNullableMs(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}

/** Maps a `kms_keys` row to the domain record. */
export function keyFromRow(row: Selectable<KeysTable>): KeyRecord {
  return {
    id: row.id,
    description: row.description,
    spec: row.spec,
    usage: row.usage,
    state: row.state,
    createdAt: toDate(row.created_at),
    deletionAt: toNullableDate(row.deletion_at),
    initialVersionId: row.initial_version_id,
    primaryVersionId: row.primary_version_id,
    rotationEnabled: row.rotation_enabled !== 0,
    rotationPeriodDays: row.rotation_period_days,
    nextRotationAt: toNullableDate(row.next_rotation_at),
    tags: JSON.parse(row.tags) as Record<string, string>,
    minDecryptionVersionId: row.min_decryption_version_id,
    ...(row.origin ? { origin: row.origin } : {}),
    expirationModel: row.expiration_model,
    materialExpiresAt: toNullableDate(row.material_expires_at),
    pendingVersionId: row.pending_version_id,
  };
}

/** The columns of a key that {@link KeyStoreTx.updateKey} may change. */
export function keyMutableColumns(key: KeyRecord) {
  return {
    description: key.description,
    state: key.state,
    deletion_at: toNullableMs(key.deletionAt),
    primary_version_id: key.primaryVersionId,
    rotation_enabled: key.rotationEnabled ? 1 : 0,
    rotation_period_days: key.rotationPeriodDays,
    next_rotation_at: toNullableMs(key.nextRotationAt),
    tags: JSON.stringify(key.tags),
    min_decryption_version_id: key.minDecryptionVersionId ?? null,
    expiration_model: key.expirationModel ?? null,
    material_expires_at: toNullableMs(key.materialExpiresAt ?? null),
    pending_version_id: key.pendingVersionId ?? null,
  } satisfies Partial<Insertable<KeysTable>>;
}

/** Maps a domain key to a full `kms_keys` row. */
export function keyToRow(key: KeyRecord): Insertable<KeysTable> {
  return {
    id: key.id,
    spec: key.spec,
    usage: key.usage,
    created_at: key.createdAt.getTime(),
    initial_version_id: key.initialVersionId,
    origin: key.origin === "EXTERNAL" ? "EXTERNAL" : null,
    ...keyMutableColumns(key),
  };
}

/** Maps a `kms_key_versions` row to the domain record. */
export function versionFromRow(row: Selectable<KeyVersionsTable>): KeyVersionRecord {
  return {
    keyId: row.key_id,
    versionId: row.version_id,
    createdAt: toDate(row.created_at),
    wrappedMaterial: Buffer.from(row.wrapped_material),
    publicKey: row.public_key === null ? null : Buffer.from(row.public_key),
    rotationType: row.rotation_type,
    trimmedAt: toNullableDate(row.trimmed_at),
    materialDigest: row.material_digest === null ? null : Buffer.from(row.material_digest),
    expirationModel: row.expiration_model,
    validTo: toNullableDate(row.valid_to),
    materialDescription: row.material_description,
  };
}

/** Maps a domain version to a `kms_key_versions` row. */
export function versionToRow(version: KeyVersionRecord): Insertable<KeyVersionsTable> {
  return {
    key_id: version.keyId,
    version_id: version.versionId,
    created_at: version.createdAt.getTime(),
    rotation_type: version.rotationType ?? null,
    trimmed_at: toNullableMs(version.trimmedAt ?? null),
    ...versionMaterialColumns(version),
  };
}

/** The columns of a version that {@link KeyStoreTx.setVersionMaterial} changes: its imported material and terms. */
export function versionMaterialColumns(version: KeyVersionRecord) {
  return {
    wrapped_material: version.wrappedMaterial,
    public_key: version.publicKey,
    material_digest: version.materialDigest ?? null,
    expiration_model: version.expirationModel ?? null,
    valid_to: toNullableMs(version.validTo ?? null),
    material_description: version.materialDescription ?? null,
  } satisfies Partial<Insertable<KeyVersionsTable>>;
}

/** Maps a `kms_aliases` row to the domain record. */
export function aliasFromRow(row: Selectable<AliasesTable>): AliasRecord {
  return {
    name: row.name,
    keyId: row.key_id,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** Maps a domain alias to a `kms_aliases` row. */
export function aliasToRow(alias: AliasRecord): Insertable<AliasesTable> {
  return {
    name: alias.name,
    key_id: alias.keyId,
    created_at: alias.createdAt.getTime(),
    updated_at: alias.updatedAt.getTime(),
  };
}
