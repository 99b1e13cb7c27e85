import { sql } from "kysely";
import { KmsError } from "../domain/errors.js";
import type { AliasRecord, KeyRecord, KeyVersionRecord } from "../domain/types.js";
import { GENESIS_HASH } from "../security/audit-chain.js";
import type {
  AuditEntry,
  AuditRecord,
  ChainedAuditRecord,
  ClientKeyRecord,
  GrantRecord,
  KeyPolicyRecord,
  PrincipalRecord,
} from "../domain/security-records.js";
import { AUDIT_ROWS_PER_INSERT } from "./audit-insert.js";
import { isForeignKeyViolation, isUniqueViolation } from "./db-errors.js";
import type { KeyStoreTx, RootKeyRecord } from "./key-store.js";
import { KyselyReader } from "./kysely-reader.js";
import { aliasToRow, keyFromRow, keyMutableColumns, keyToRow, versionMaterialColumns, versionToRow } from "./rows.js";
import type { AuditHasher } from "./security-store.js";
import { auditToRow, clientKeyToRow, grantToRow, keyPolicyToRow, principalToRow } from "./security-rows.js";

/**
 * The advisory lock that serialises audit appends of every instance sharing one schema: the
 * two-key form (the bytes of "KMSA", the schema's hash), so that deployments in other schemas of
 * the same server never wait on each other's trails. PostgreSQL keeps the two-key and the
 * single-key (migration) lock spaces apart.
 */
const AUDIT_LOCK_CLASS = 0x4b4d5341;

function keyNotFound(): KmsError {
  return new KmsError("NotFound", "The key does not exist.");
}

/** The chain of `appendAudit` (and of every record written before migration 008). */
const SHARED_CHAIN = "";

/**
 * The store inside one database transaction. Row locks (`FOR UPDATE`, `SKIP LOCKED`) are taken on
 * PostgreSQL only: SQLite has no row locks, and Kysely's SQLite driver runs every query of the
 * process on one connection, so a transaction already excludes all others (SQLite is
 * single-instance; several instances need PostgreSQL).
 */
export class KyselyTx extends KyselyReader implements KeyStoreTx {
  private get rowLocks(): boolean {
    return this.dialect === "postgres";
  }

  async lockKey(id: string): Promise<KeyRecord | null> {
    const row = await this.db
      .selectFrom("kms_keys")
      .selectAll()
      .where("id", "=", id)
      .$if(this.rowLocks, (qb) => qb.forUpdate())
      .executeTakeFirst();
    return row ? keyFromRow(row) : null;
  }

  async insertKey(key: KeyRecord): Promise<void> {
    await this.db.insertInto("kms_keys").values(keyToRow(key)).execute();
  }

  /** Throws `NotFound` when no key has that id, so a lost row never passes silently. */
  async updateKey(key: KeyRecord): Promise<void> {
    const result = await this.db
      .updateTable("kms_keys")
      .set(keyMutableColumns(key))
      .where("id", "=", key.id)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw keyNotFound();
  }

  async insertVersion(version: KeyVersionRecord): Promise<void> {
    await this.db.insertInto("kms_key_versions").values(versionToRow(version)).execute();
  }

  async trimVersion(keyId: string, versionId: string, at: Date): Promise<void> {
    await this.db
      .updateTable("kms_key_versions")
      .set({ wrapped_material: Buffer.alloc(0), trimmed_at: at.getTime() })
      .where("key_id", "=", keyId)
      .where("version_id", "=", versionId)
      .execute();
  }

  /**
   * A taken name is `AlreadyExists` and a missing key `NotFound`, both recognised by the driver's
   * error code. On PostgreSQL the failed statement aborts the transaction: callers let it roll back.
   */
  async insertAlias(alias: AliasRecord): Promise<void> {
    try {
      await this.db.insertInto("kms_aliases").values(aliasToRow(alias)).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KmsError("AlreadyExists", "An alias with that name already exists.");
      if (isForeignKeyViolation(err)) throw keyNotFound();
      throw err;
    }
  }

  /** Retargets an alias; `createdAt` is kept. Throws `NotFound` when the alias or its new key is missing. */
  async updateAlias(alias: AliasRecord): Promise<void> {
    let updated: bigint;
    try {
      const result = await this.db
        .updateTable("kms_aliases")
        .set({ key_id: alias.keyId, updated_at: alias.updatedAt.getTime() })
        .where("name", "=", alias.name)
        .executeTakeFirst();
      updated = result.numUpdatedRows;
    } catch (err) {
      if (isForeignKeyViolation(err)) throw keyNotFound();
      throw err;
    }
    if (updated === 0n) throw new KmsError("NotFound", "The alias does not exist.");
  }

  async deleteAlias(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom("kms_aliases").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * Deletes children explicitly as well as through `ON DELETE CASCADE`: the material must go even
   * on a SQLite connection opened without `PRAGMA foreign_keys = ON`. Grants and the key policy go
   * with the key; its audit records stay (they name the key id but do not reference it).
   */
  async deleteKey(id: string): Promise<void> {
    await this.db.deleteFrom("kms_grants").where("key_id", "=", id).execute();
    await this.db.deleteFrom("kms_key_policies").where("key_id", "=", id).execute();
    await this.db.deleteFrom("kms_aliases").where("key_id", "=", id).execute();
    await this.db.deleteFrom("kms_key_versions").where("key_id", "=", id).execute();
    await this.db.deleteFrom("kms_keys").where("id", "=", id).execute();
  }

  async lockKeysDueForDeletion(now: Date, limit: number): Promise<KeyRecord[]> {
    const rows = await this.db
      .selectFrom("kms_keys")
      .selectAll()
      .where("state", "=", "PendingDeletion")
      .where("deletion_at", "<=", now.getTime())
      .orderBy("deletion_at")
      .orderBy("id")
      .limit(limit)
      .$if(this.rowLocks, (qb) => qb.forUpdate().skipLocked())
      .execute();
    return rows.map(keyFromRow);
  }

  async lockKeysDueForRotation(now: Date, limit: number): Promise<KeyRecord[]> {
    const rows = await this.db
      .selectFrom("kms_keys")
      .selectAll()
      .where("state", "=", "Enabled")
      .where("rotation_enabled", "=", 1)
      .where("next_rotation_at", "<=", now.getTime())
      .orderBy("next_rotation_at")
      .orderBy("id")
      .limit(limit)
      .$if(this.rowLocks, (qb) => qb.forUpdate().skipLocked())
      .execute();
    return rows.map(keyFromRow);
  }

  async setVersionMaterial(version: KeyVersionRecord): Promise<void> {
    const result = await this.db
      .updateTable("kms_key_versions")
      .set(versionMaterialColumns(version))
      .where("key_id", "=", version.keyId)
      .where("version_id", "=", version.versionId)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw new KmsError("NotFound", "The key version does not exist.");
  }

  async deleteVersion(keyId: string, versionId: string): Promise<void> {
    const result = await this.db
      .deleteFrom("kms_key_versions")
      .where("key_id", "=", keyId)
      .where("version_id", "=", versionId)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new KmsError("NotFound", "The key version does not exist.");
  }

  /** Only `kms_keys` rows are locked (the subquery reads versions without locking them). */
  async lockKeysWithExpiredMaterial(now: Date, limit: number): Promise<KeyRecord[]> {
    const rows = await this.db
      .selectFrom("kms_keys")
      .selectAll()
      .where("origin", "=", "EXTERNAL")
      .where("id", "in", (qb) =>
        qb.selectFrom("kms_key_versions").select("key_id").where("valid_to", "<=", now.getTime()),
      )
      .orderBy("id")
      .limit(limit)
      .$if(this.rowLocks, (qb) => qb.forUpdate().skipLocked())
      .execute();
    return rows.map(keyFromRow);
  }

  /** `ON CONFLICT DO NOTHING` (both dialects) then a read, so concurrent first writers agree on one value. */
  async putMetaIfAbsent(name: string, value: string): Promise<string> {
    await this.db
      .insertInto("kms_meta")
      .values({ name, value })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    const stored = await this.getMeta(name);
    if (stored === null) throw new Error(`kms_meta row ${name} vanished after insert`);
    return stored;
  }

  async setMeta(name: string, value: string): Promise<void> {
    await this.db
      .insertInto("kms_meta")
      .values({ name, value })
      .onConflict((oc) => oc.column("name").doUpdateSet({ value }))
      .execute();
  }

  async putRootKey(record: RootKeyRecord): Promise<void> {
    const copy = { label: record.label, wrapped: record.wrapped, wrapped_by: record.wrappedBy, retired_at: null };
    await this.db
      .insertInto("kms_root_keys")
      .values({ id: record.id, kind: record.kind, created_at: record.createdAt.getTime(), ...copy })
      .onConflict((oc) => oc.column("id").doUpdateSet(copy))
      .execute();
  }

  async retireRootKey(id: string, at: Date): Promise<void> {
    await this.db
      .updateTable("kms_root_keys")
      .set({ retired_at: at.getTime(), wrapped: null, wrapped_by: null })
      .where("id", "=", id)
      .execute();
    await this.db
      .updateTable("kms_root_keys")
      .set({ wrapped: null, wrapped_by: null })
      .where("wrapped_by", "=", id)
      .execute();
  }

  async replaceVersionBlob(keyId: string, versionId: string, from: Buffer, to: Buffer): Promise<boolean> {
    const result = await this.db
      .updateTable("kms_key_versions")
      .set({ wrapped_material: to })
      .where("key_id", "=", keyId)
      .where("version_id", "=", versionId)
      .where("wrapped_material", "=", from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async replacePrincipalBlob(name: string, from: Buffer, to: Buffer): Promise<boolean> {
    const result = await this.db
      .updateTable("kms_principals")
      .set({ wrapped_secret: to })
      .where("name", "=", name)
      .where("wrapped_secret", "=", from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async insertPrincipal(principal: PrincipalRecord): Promise<void> {
    try {
      await this.db.insertInto("kms_principals").values(principalToRow(principal)).execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new KmsError("AlreadyExists", "A principal with that name or credential already exists.");
      }
      throw err;
    }
  }

  /** Its ClientKeys go too, explicitly as well as through `ON DELETE CASCADE` (see `deleteKey`). */
  async deletePrincipal(name: string): Promise<boolean> {
    await this.db.deleteFrom("kms_client_keys").where("principal", "=", name).execute();
    const result = await this.db.deleteFrom("kms_principals").where("name", "=", name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async insertClientKey(clientKey: ClientKeyRecord): Promise<void> {
    try {
      await this.db.insertInto("kms_client_keys").values(clientKeyToRow(clientKey)).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KmsError("AlreadyExists", "A ClientKey with that id already exists.");
      if (isForeignKeyViolation(err)) {
        throw new KmsError("NotFound", `Principal '${clientKey.principal}' does not exist.`);
      }
      throw err;
    }
  }

  async deleteClientKey(keyId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("kms_client_keys").where("key_id", "=", keyId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** An upsert (`ON CONFLICT … DO UPDATE`, both dialects); a missing key is `NotFound` via its foreign key. */
  async putKeyPolicy(policy: KeyPolicyRecord): Promise<void> {
    const row = keyPolicyToRow(policy);
    try {
      await this.db
        .insertInto("kms_key_policies")
        .values(row)
        .onConflict((oc) => oc.column("key_id").doUpdateSet({ policy: row.policy, updated_at: row.updated_at }))
        .execute();
    } catch (err) {
      if (isForeignKeyViolation(err)) throw keyNotFound();
      throw err;
    }
  }

  async insertGrant(grant: GrantRecord): Promise<void> {
    try {
      await this.db.insertInto("kms_grants").values(grantToRow(grant)).execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new KmsError("AlreadyExists", "A grant with that id or token already exists.");
      if (isForeignKeyViolation(err)) throw keyNotFound();
      throw err;
    }
  }

  async deleteGrant(grantId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("kms_grants").where("grant_id", "=", grantId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * Lock, read the head, number, hash, insert — see `SecurityStoreTx.appendAudit`. The
   * advisory lock is taken first so that the head read sees every earlier append: the previous
   * holder committed before its transaction-scoped lock was released.
   */
  async appendAudit(entry: AuditEntry, computeHash: AuditHasher): Promise<AuditRecord> {
    const [record] = await this.appendAuditBatch([entry], computeHash);
    return record!;
  }

  /** As {@link appendAudit} for several entries: one lock, one head read and multi-row INSERTs. */
  async appendAuditBatch(entries: readonly AuditEntry[], computeHash: AuditHasher): Promise<AuditRecord[]> {
    if (entries.length === 0) return [];
    if (this.dialect === "postgres") {
      await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}::int4, hashtext(current_schema()))`.execute(this.db);
    }
    const head = await this.auditChainHead(SHARED_CHAIN);
    let writerSeq = head?.writerSeq ?? 0;
    let prevHash = head?.hash ?? GENESIS_HASH;
    const chained = entries.map((entry): ChainedAuditRecord => {
      const placed = { ...entry, writer: SHARED_CHAIN, writerSeq: ++writerSeq };
      const record = { ...placed, prevHash, hash: computeHash(prevHash, { ...placed, seq: placed.writerSeq }) };
      prevHash = record.hash;
      return record;
    });
    const records: AuditRecord[] = [];
    for (let i = 0; i < chained.length; i += AUDIT_ROWS_PER_INSERT) {
      const slice = chained.slice(i, i + AUDIT_ROWS_PER_INSERT);
      const stored = await this.db
        .insertInto("kms_audit")
        .values(slice.map(auditToRow))
        .returning(["seq", "hash"])
        .execute();
      const seqOf = new Map(stored.map((row) => [row.hash, Number(row.seq)]));
      for (const record of slice) records.push({ ...record, seq: seqOf.get(record.hash)! });
    }
    return records;
  }
}
