import type { Kysely } from "kysely";
import type { AliasRecord, KeyRecord, KeyVersionRecord, Page } from "../domain/types.js";
import type {
  AuditChainHead,
  AuditRecord,
  ClientKeyRecord,
  GrantRecord,
  KeyPolicyRecord,
  PrincipalRecord,
} from "../domain/security-records.js";
import type { KeyStoreReader, RootKeyRecord, StoredBlob } from "./key-store.js";
import type { AuditFilter } from "./security-store.js";
import {
  checkLimit,
  decodePageToken,
  encodePageToken,
  isAliasCursor,
  isKeyCursor,
  isVersionCursor,
  toPage,
} from "./page-token.js";
import { Precompiled } from "./precompiled.js";
import { aliasFromRow, keyFromRow, versionFromRow } from "./rows.js";
import type { Database, StoreDialect } from "./schema.js";
import {
  auditFromRow,
  clientKeyFromRow,
  encodeGrantCursor,
  grantFromRow,
  isGrantCursor,
  keyPolicyFromRow,
  principalFromRow,
} from "./security-rows.js";

/** The point reads every call may make (on a read-cache miss), compiled once: `precompiled.ts`. */
const KEY = new Precompiled((db) => db.selectFrom("kms_keys").selectAll().where("id", "=", ""));
const VERSION = new Precompiled((db) =>
  db.selectFrom("kms_key_versions").selectAll().where("key_id", "=", "").where("version_id", "=", ""),
);
const ALIAS = new Precompiled((db) => db.selectFrom("kms_aliases").selectAll().where("name", "=", ""));
const META = new Precompiled((db) => db.selectFrom("kms_meta").select("value").where("name", "=", ""));
const principalBy = (column: "name" | "token_hash" | "access_key_id") =>
  new Precompiled((db) => db.selectFrom("kms_principals").selectAll().where(column, "=", ""));
const PRINCIPAL = {
  name: principalBy("name"),
  token_hash: principalBy("token_hash"),
  access_key_id: principalBy("access_key_id"),
};
const CLIENT_KEY = new Precompiled((db) => db.selectFrom("kms_client_keys").selectAll().where("key_id", "=", ""));
const KEY_POLICY = new Precompiled((db) => db.selectFrom("kms_key_policies").selectAll().where("key_id", "=", ""));
const GRANT = new Precompiled((db) => db.selectFrom("kms_grants").selectAll().where("grant_id", "=", ""));
const GRANT_BY_TOKEN = new Precompiled((db) => db.selectFrom("kms_grants").selectAll().where("token_hash", "=", ""));
const AUDIT_CHAIN_HEAD = new Precompiled((db) =>
  db
    .selectFrom("kms_audit")
    .select(["writer_seq", "hash"])
    .where("writer", "=", "")
    .orderBy("writer_seq", "desc")
    .limit(1),
);

/**
 * The read half of the store, shared by the store itself (reads on their own connection) and by
 * transactions (reads that see the transaction's own writes): `db` is either a `Kysely` or a
 * Kysely `Transaction`, which has the same query API.
 *
 * Listings use keyset paging on a row-value comparison, `(created_at, id) > (?, ?)`, which both
 * SQLite (≥ 3.15) and PostgreSQL evaluate with the index on the same columns.
 */
export class KyselyReader implements KeyStoreReader {
  constructor(
    protected readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
  ) {}

  async getKey(id: string): Promise<KeyRecord | null> {
    const row = await KEY.first(this.db, this.dialect, [id]);
    return row ? keyFromRow(row) : null;
  }

  async getVersion(keyId: string, versionId: string): Promise<KeyVersionRecord | null> {
    const row = await VERSION.first(this.db, this.dialect, [keyId, versionId]);
    return row ? versionFromRow(row) : null;
  }

  async listKeys(limit: number, token: string | null): Promise<Page<KeyRecord>> {
    checkLimit(limit);
    const after = token === null ? null : decodePageToken(token, isKeyCursor);
    const rows = await this.db
      .selectFrom("kms_keys")
      .selectAll()
      .$if(after !== null, (qb) =>
        qb.where((eb) => eb(eb.refTuple("created_at", "id"), ">", eb.tuple(after!.t, after!.i))),
      )
      .orderBy("created_at")
      .orderBy("id")
      .limit(limit + 1)
      .execute();
    return toPage(rows.map(keyFromRow), limit, (last) =>
      encodePageToken({ k: "key", t: last.createdAt.getTime(), i: last.id }),
    );
  }

  async listVersions(keyId: string, limit: number, token: string | null): Promise<Page<KeyVersionRecord>> {
    checkLimit(limit);
    const after = token === null ? null : decodePageToken(token, isVersionCursor);
    const rows = await this.db
      .selectFrom("kms_key_versions")
      .selectAll()
      .where("key_id", "=", keyId)
      .$if(after !== null, (qb) =>
        qb.where((eb) => eb(eb.refTuple("created_at", "version_id"), ">", eb.tuple(after!.t, after!.v))),
      )
      .orderBy("created_at")
      .orderBy("version_id")
      .limit(limit + 1)
      .execute();
    return toPage(rows.map(versionFromRow), limit, (last) =>
      encodePageToken({ k: "version", t: last.createdAt.getTime(), v: last.versionId }),
    );
  }

  async getAlias(name: string): Promise<AliasRecord | null> {
    const row = await ALIAS.first(this.db, this.dialect, [name]);
    return row ? aliasFromRow(row) : null;
  }

  async listAliases(limit: number, token: string | null, keyId?: string): Promise<Page<AliasRecord>> {
    checkLimit(limit);
    const after = token === null ? null : decodePageToken(token, isAliasCursor);
    const rows = await this.db
      .selectFrom("kms_aliases")
      .selectAll()
      .$if(keyId !== undefined, (qb) => qb.where("key_id", "=", keyId!))
      .$if(after !== null, (qb) => qb.where("name", ">", after!.n))
      .orderBy("name")
      .limit(limit + 1)
      .execute();
    return toPage(rows.map(aliasFromRow), limit, (last) => encodePageToken({ k: "alias", n: last.name }));
  }

  async getMeta(name: string): Promise<string | null> {
    const row = await META.first(this.db, this.dialect, [name]);
    return row ? row.value : null;
  }

  async listRootKeys(): Promise<RootKeyRecord[]> {
    const rows = await this.db.selectFrom("kms_root_keys").selectAll().orderBy("created_at").orderBy("id").execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      label: r.label,
      wrapped: r.wrapped,
      wrappedBy: r.wrapped_by,
      createdAt: new Date(Number(r.created_at)),
      retiredAt: r.retired_at === null ? null : new Date(Number(r.retired_at)),
    }));
  }

  async listVersionBlobs(after: { keyId: string; versionId: string } | null, limit: number): Promise<StoredBlob[]> {
    checkLimit(limit);
    const rows = await this.db
      .selectFrom("kms_key_versions")
      .select(["key_id", "version_id", "wrapped_material"])
      .$if(after !== null, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb("key_id", ">", after!.keyId),
            eb.and([eb("key_id", "=", after!.keyId), eb("version_id", ">", after!.versionId)]),
          ]),
        ),
      )
      .orderBy("key_id")
      .orderBy("version_id")
      .limit(limit)
      .execute();
    return rows
      .filter((r) => r.wrapped_material.length > 0)
      .map((r) => ({ owner: r.key_id, id: r.version_id, wrapped: r.wrapped_material }));
  }

  async listPrincipalBlobs(after: string | null, limit: number): Promise<StoredBlob[]> {
    checkLimit(limit);
    const rows = await this.db
      .selectFrom("kms_principals")
      .select(["name", "access_key_id", "wrapped_secret"])
      .$if(after !== null, (qb) => qb.where("name", ">", after!))
      .orderBy("name")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ owner: r.name, id: r.access_key_id, wrapped: r.wrapped_secret }));
  }

  private async principalWhere(
    column: "name" | "token_hash" | "access_key_id",
    value: string,
  ): Promise<PrincipalRecord | null> {
    const row = await PRINCIPAL[column].first(this.db, this.dialect, [value]);
    return row ? principalFromRow(row) : null;
  }

  getPrincipal(name: string): Promise<PrincipalRecord | null> {
    return this.principalWhere("name", name);
  }

  getPrincipalByTokenHash(tokenHash: string): Promise<PrincipalRecord | null> {
    return this.principalWhere("token_hash", tokenHash);
  }

  getPrincipalByAccessKeyId(accessKeyId: string): Promise<PrincipalRecord | null> {
    return this.principalWhere("access_key_id", accessKeyId);
  }

  async listPrincipals(): Promise<PrincipalRecord[]> {
    const rows = await this.db.selectFrom("kms_principals").selectAll().orderBy("name").execute();
    return rows.map(principalFromRow);
  }

  async getClientKey(keyId: string): Promise<ClientKeyRecord | null> {
    const row = await CLIENT_KEY.first(this.db, this.dialect, [keyId]);
    return row ? clientKeyFromRow(row) : null;
  }

  async listClientKeys(): Promise<ClientKeyRecord[]> {
    const rows = await this.db
      .selectFrom("kms_client_keys")
      .selectAll()
      .orderBy("principal")
      .orderBy("key_id")
      .execute();
    return rows.map(clientKeyFromRow);
  }

  async getKeyPolicy(keyId: string): Promise<KeyPolicyRecord | null> {
    const row = await KEY_POLICY.first(this.db, this.dialect, [keyId]);
    return row ? keyPolicyFromRow(row) : null;
  }

  async getGrant(grantId: string): Promise<GrantRecord | null> {
    const row = await GRANT.first(this.db, this.dialect, [grantId]);
    return row ? grantFromRow(row) : null;
  }

  async getGrantByTokenHash(tokenHash: string): Promise<GrantRecord | null> {
    const row = await GRANT_BY_TOKEN.first(this.db, this.dialect, [tokenHash]);
    return row ? grantFromRow(row) : null;
  }

  listGrantsByKey(keyId: string, limit: number, token: string | null): Promise<Page<GrantRecord>> {
    return this.listGrantsWhere("key_id", keyId, limit, token);
  }

  listGrantsByGrantee(grantee: string, limit: number, token: string | null): Promise<Page<GrantRecord>> {
    return this.listGrantsWhere("grantee", grantee, limit, token);
  }

  listGrantsByRetiringPrincipal(name: string, limit: number, token: string | null): Promise<Page<GrantRecord>> {
    return this.listGrantsWhere("retiring_principal", name, limit, token);
  }

  private async listGrantsWhere(
    column: "key_id" | "grantee" | "retiring_principal",
    value: string,
    limit: number,
    token: string | null,
  ): Promise<Page<GrantRecord>> {
    checkLimit(limit);
    const after = token === null ? null : decodePageToken(token, isGrantCursor);
    const rows = await this.db
      .selectFrom("kms_grants")
      .selectAll()
      .where(column, "=", value)
      .$if(after !== null, (qb) =>
        qb.where((eb) => eb(eb.refTuple("created_at", "grant_id"), ">", eb.tuple(after!.t, after!.g))),
      )
      .orderBy("created_at")
      .orderBy("grant_id")
      .limit(limit + 1)
      .execute();
    return toPage(rows.map(grantFromRow), limit, encodeGrantCursor);
  }

  async auditChainHead(writer: string): Promise<AuditChainHead | null> {
    const row = await AUDIT_CHAIN_HEAD.first(this.db, this.dialect, [writer, 1]);
    return row ? { writerSeq: Number(row.writer_seq), hash: row.hash } : null;
  }

  async listAudit(afterSeq: number, limit: number): Promise<AuditRecord[]> {
    checkLimit(limit);
    const rows = await this.db
      .selectFrom("kms_audit")
      .selectAll()
      .where("seq", ">", afterSeq)
      .orderBy("seq")
      .limit(limit)
      .execute();
    return rows.map(auditFromRow);
  }

  async searchAudit(filter: AuditFilter, beforeSeq: number | null, limit: number): Promise<AuditRecord[]> {
    checkLimit(limit);
    const { principal, keyId, operation, method, outcome, from, to } = filter;
    const rows = await this.db
      .selectFrom("kms_audit")
      .selectAll()
      .$if(beforeSeq !== null, (qb) => qb.where("seq", "<", beforeSeq!))
      .$if(principal !== undefined, (qb) => qb.where("principal", "=", principal!))
      .$if(keyId !== undefined, (qb) => qb.where("key_id", "=", keyId!))
      .$if(operation !== undefined, (qb) => qb.where("operation", "=", operation!))
      .$if(method !== undefined, (qb) => qb.where("operation", "like", `%/${method}`))
      .$if(outcome !== undefined, (qb) => qb.where("outcome", "=", outcome!))
      .$if(from !== undefined, (qb) => qb.where("at", ">=", from!.getTime()))
      .$if(to !== undefined, (qb) => qb.where("at", "<", to!.getTime()))
      .orderBy("seq", "desc")
      .limit(limit)
      .execute();
    return rows.map(auditFromRow);
  }

  async lastAuditOfKey(keyId: string, operations: readonly string[]): Promise<AuditRecord | null> {
    if (operations.length === 0) return null;
    const row = await this.db
      .selectFrom("kms_audit")
      .selectAll()
      .where("key_id", "=", keyId)
      .where("outcome", "=", "ok")
      .where("operation", "in", [...operations])
      .orderBy("seq", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? auditFromRow(row) : null;
  }
}
