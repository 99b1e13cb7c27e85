import type { AliasRecord, KeyRecord, KeyVersionRecord, Page } from "../domain/types.js";
import type { SecurityStore, SecurityStoreReader, SecurityStoreTx } from "./security-store.js";

/**
 * The narrow persistence interface core depends on. One implementation on Kysely serves both
 * SQLite and PostgreSQL; `test/store-contract/` runs one suite against both.
 *
 * Reads outside a transaction see committed data. Every mutation happens inside
 * {@link KeyStore.transaction}; races between instances (two rotations of one key, rotate vs
 * disable) are serialised by the database through {@link KeyStoreTx.lockKey}, never by memory.
 *
 * The security tables (principals, key policies, grants, audit) come in through
 * {@link SecurityStoreReader} / {@link SecurityStoreTx} (`security-store.ts`).
 */
export interface KeyStoreReader extends SecurityStoreReader {
  getKey(id: string): Promise<KeyRecord | null>;
  getVersion(keyId: string, versionId: string): Promise<KeyVersionRecord | null>;
  /** Keys in creation order (created_at, id). `token` is a previous page's `nextToken`. */
  listKeys(limit: number, token: string | null): Promise<Page<KeyRecord>>;
  /** A key's versions, oldest first. */
  listVersions(keyId: string, limit: number, token: string | null): Promise<Page<KeyVersionRecord>>;
  getAlias(name: string): Promise<AliasRecord | null>;
  /** Aliases in name order, optionally only those of one key. */
  listAliases(limit: number, token: string | null, keyId?: string): Promise<Page<AliasRecord>>;
  getMeta(name: string): Promise<string | null>;
  /** The root keyring (migration 009), oldest first. */
  listRootKeys(): Promise<RootKeyRecord[]>;
  /**
   * Wrapped version material in (key id, version id) order after `after`, for root-key rotation
   * and its status; trimmed versions (zero bytes) are left out.
   */
  listVersionBlobs(after: { keyId: string; versionId: string } | null, limit: number): Promise<StoredBlob[]>;
  /** Principals' wrapped secrets in name order after `after`, as {@link listVersionBlobs}. */
  listPrincipalBlobs(after: string | null, limit: number): Promise<StoredBlob[]>;
}

/** A root key as the keyring table records it (`src/core/root-keys/`). */
export interface RootKeyRecord {
  id: string;
  kind: "raw" | "pkcs11";
  /** The key's label in the token (PKCS#11). */
  label: string | null;
  /** A raw key wrapped under the root key `wrappedBy`, while a rotation to it runs. */
  wrapped: Buffer | null;
  wrappedBy: string | null;
  createdAt: Date;
  retiredAt: Date | null;
}

/** One stored wrapped secret: a version's material (`owner` = key id) or a principal's secret (`owner` = name). */
export interface StoredBlob {
  owner: string;
  /** The version id, or the principal's access key id (the ids bound into its AAD). */
  id: string;
  wrapped: Buffer;
}

/** Operations available inside a transaction. */
export interface KeyStoreTx extends KeyStoreReader, SecurityStoreTx {
  /** Reads a key and holds a row lock on it (PostgreSQL `FOR UPDATE`) until the transaction ends. */
  lockKey(id: string): Promise<KeyRecord | null>;
  insertKey(key: KeyRecord): Promise<void>;
  /** Overwrites the mutable fields of an existing key. */
  updateKey(key: KeyRecord): Promise<void>;
  insertVersion(version: KeyVersionRecord): Promise<void>;
  /** Destroys a version's wrapped material (leaving zero bytes) and notes when; irreversible. */
  trimVersion(keyId: string, versionId: string, at: Date): Promise<void>;
  /** Throws `KmsError("AlreadyExists")` when the name is taken. */
  insertAlias(alias: AliasRecord): Promise<void>;
  updateAlias(alias: AliasRecord): Promise<void>;
  /** Returns false when no alias had that name. */
  deleteAlias(name: string): Promise<boolean>;
  /** Deletes a key with its versions (material) and aliases. */
  deleteKey(id: string): Promise<void>;
  /**
   * Locks up to `limit` keys whose deletion time has passed, skipping rows another transaction
   * holds (`FOR UPDATE SKIP LOCKED`), so that with several instances each key is swept once.
   */
  lockKeysDueForDeletion(now: Date, limit: number): Promise<KeyRecord[]>;
  /** As {@link lockKeysDueForDeletion}, for Enabled keys whose `nextRotationAt` has passed. */
  lockKeysDueForRotation(now: Date, limit: number): Promise<KeyRecord[]>;
  /**
   * Replaces a version's material (wrapped), public key, material digest, expiration terms and
   * description: imported material arriving, or (with an empty buffer) being deleted.
   * Throws `KmsError("NotFound")` when the version does not exist.
   */
  setVersionMaterial(version: KeyVersionRecord): Promise<void>;
  /**
   * Removes a version row: imported material pending rotation that is deleted or expires (it was
   * never part of the key, AWS `PENDING_ROTATION`). Throws `KmsError("NotFound")` when it does not exist.
   */
  deleteVersion(keyId: string, versionId: string): Promise<void>;
  /**
   * As {@link lockKeysDueForDeletion}, for imported keys with a version whose material expired
   * (`validTo` ≤ now, still set: removal clears it), so that with several instances each
   * material expires once.
   */
  lockKeysWithExpiredMaterial(now: Date, limit: number): Promise<KeyRecord[]>;
  /** Sets a meta value unless one exists; returns the stored value either way. */
  putMetaIfAbsent(name: string, value: string): Promise<string>;
  /** Sets a meta value, replacing any. */
  setMeta(name: string, value: string): Promise<void>;
  /** Adds a root key, or brings a retired one back with the given copy fields. */
  putRootKey(record: RootKeyRecord): Promise<void>;
  /** Marks a root key retired and drops every stored copy wrapped under it. */
  retireRootKey(id: string, at: Date): Promise<void>;
  /**
   * Replaces a version's wrapped material only if it still equals `from` (compare-and-swap), so a
   * rotation never overwrites a concurrent change; false when it did not.
   */
  replaceVersionBlob(keyId: string, versionId: string, from: Buffer, to: Buffer): Promise<boolean>;
  /** As {@link replaceVersionBlob}, for a principal's wrapped secret. */
  replacePrincipalBlob(name: string, from: Buffer, to: Buffer): Promise<boolean>;
}

export interface KeyStore extends KeyStoreReader, SecurityStore {
  /** Runs `fn` in one database transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: KeyStoreTx) => Promise<T>): Promise<T>;
  /** Which dialect serves this store (for logs and tests). */
  readonly dialect: "sqlite" | "postgres";
  close(): Promise<void>;
}
