import type { Kysely } from "kysely";
import type { KeyRecord, Page } from "../domain/types.js";
import type { ClientKeyRecord, GrantRecord, KeyPolicyRecord, PrincipalRecord } from "../domain/security-records.js";
import type { KeyStoreTx } from "./key-store.js";
import { KyselyKeyStore } from "./kysely-store.js";
import type { ReadCache } from "./read-cache.js";
import type { AuditRecordWriter } from "./sqlite-audit-writer.js";
import type { Database, StoreDialect } from "./schema.js";
import { KyselyTx } from "./kysely-tx.js";
import { trackCacheWrites } from "./track-cache-writes.js";

/**
 * How other writers' changes reach the cache: announced and listened for on PostgreSQL
 * (`pg-change-listener.ts`), polled on SQLite (`sqlite-change-check.ts`).
 */
export interface ChangeFeed {
  /** Runs inside the writing transaction; delivered to the other instances when it commits. */
  announce?(trx: Kysely<Database>): Promise<void>;
  /** Runs before every cached read: clears the cache if another writer changed the database. */
  poll?(): void;
  close(): Promise<void>;
}

/**
 * The store with the per-call reads of every RPC served from a {@link ReadCache}: the caller's
 * principal (by token hash, access key id or name, and its ClientKey), the key record, its policy
 * and the caller's grants. Reads inside a transaction always go to the database.
 *
 * Staleness bound: a change made through this store is seen by its next read at once (the
 * transaction that made it clears the cache when it ends, committed or not). On PostgreSQL the
 * transaction also announces the change (`NOTIFY`, delivered at commit) and every instance's
 * listener clears its cache on receipt, typically within milliseconds; on SQLite a change the `kms`
 * CLI commits to the file is noticed before the next cached read. Whatever is lost — a
 * notification sent while a listener reconnects (it also clears on reconnect) — the TTL
 * (`CACHE_TTL_MS` in `open-store.ts`, 1 s) bounds: a change is seen by every instance at most that
 * long after its commit.
 */
export class CachingKeyStore extends KyselyKeyStore {
  readonly #cache: ReadCache;
  readonly #feed: ChangeFeed | null;

  constructor(
    db: Kysely<Database>,
    dialect: StoreDialect,
    cache: ReadCache,
    feed: ChangeFeed | null,
    auditWriter?: AuditRecordWriter,
  ) {
    super(db, dialect, auditWriter);
    this.#cache = cache;
    this.#feed = feed;
  }

  override async transaction<T>(fn: (tx: KeyStoreTx) => Promise<T>): Promise<T> {
    let wrote = false;
    try {
      return await this.db.transaction().execute(async (trx) => {
        const result = await fn(
          trackCacheWrites(new KyselyTx(trx, this.dialect), () => {
            wrote = true;
          }),
        );
        if (wrote && this.#feed?.announce) await this.#feed.announce(trx);
        return result;
      });
    } finally {
      if (wrote) this.#cache.clear();
    }
  }

  override async close(): Promise<void> {
    await this.#feed?.close();
    await super.close();
  }

  #read<T>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    this.#feed?.poll?.();
    return this.#cache.read(key, load);
  }

  override getKey(id: string): Promise<KeyRecord | null> {
    return this.#read(`key\0${id}`, () => super.getKey(id));
  }

  override getPrincipal(name: string): Promise<PrincipalRecord | null> {
    return this.#read(`principal\0${name}`, () => super.getPrincipal(name));
  }

  override getPrincipalByTokenHash(tokenHash: string): Promise<PrincipalRecord | null> {
    return this.#read(`token\0${tokenHash}`, () => super.getPrincipalByTokenHash(tokenHash));
  }

  override getPrincipalByAccessKeyId(accessKeyId: string): Promise<PrincipalRecord | null> {
    return this.#read(`access-key\0${accessKeyId}`, () => super.getPrincipalByAccessKeyId(accessKeyId));
  }

  override getClientKey(keyId: string): Promise<ClientKeyRecord | null> {
    return this.#read(`client-key\0${keyId}`, () => super.getClientKey(keyId));
  }

  override getKeyPolicy(keyId: string): Promise<KeyPolicyRecord | null> {
    return this.#read(`policy\0${keyId}`, () => super.getKeyPolicy(keyId));
  }

  override getGrantByTokenHash(tokenHash: string): Promise<GrantRecord | null> {
    return this.#read(`grant-token\0${tokenHash}`, () => super.getGrantByTokenHash(tokenHash));
  }

  /** Only the first page (what the access check reads on every call) is cached. */
  override listGrantsByGrantee(grantee: string, limit: number, token: string | null): Promise<Page<GrantRecord>> {
    if (token !== null) return super.listGrantsByGrantee(grantee, limit, token);
    return this.#read(`grants\0${grantee}\0${limit}`, () => super.listGrantsByGrantee(grantee, limit, null)).then(
      (page) => page ?? { items: [], nextToken: null },
    );
  }
}
