import type { Page } from "../domain/types.js";
import type {
  AuditChainHead,
  AuditEntry,
  AuditEntryWithSeq,
  AuditRecord,
  ChainedAuditRecord,
  ClientKeyRecord,
  GrantRecord,
  KeyPolicyRecord,
  PrincipalRecord,
} from "../domain/security-records.js";

/**
 * The store's security half (docs/security.md): principals, key policies, grants and the audit trail.
 * `KeyStoreReader` / `KeyStoreTx` extend these, so the one store serves both halves and a key's
 * policy and grants can change in the same transaction as the key.
 *
 * The store only persists: it never sees a plaintext token or secret (hashes and wrapped secrets
 * only), and it never decides who may do what — `src/security/*` does.
 */
export interface SecurityStoreReader {
  getPrincipal(name: string): Promise<PrincipalRecord | null>;
  /** The principal whose bearer token hashes to `tokenHash` (see `hashToken`). */
  getPrincipalByTokenHash(tokenHash: string): Promise<PrincipalRecord | null>;
  getPrincipalByAccessKeyId(accessKeyId: string): Promise<PrincipalRecord | null>;
  /** Every principal, by name. Principals are few (operators create them), so this is unpaged. */
  listPrincipals(): Promise<PrincipalRecord[]>;

  /** The ClientKey with that id (`KAAP.…`), or null. */
  getClientKey(keyId: string): Promise<ClientKeyRecord | null>;
  /** Every ClientKey, by principal then key id; like principals, few and unpaged. */
  listClientKeys(): Promise<ClientKeyRecord[]>;

  /** The key's policy, or null when none was stored (the caller then applies its default). */
  getKeyPolicy(keyId: string): Promise<KeyPolicyRecord | null>;

  getGrant(grantId: string): Promise<GrantRecord | null>;
  /** The grant whose token hashes to `tokenHash`: how a `GrantTokens` entry takes effect at once. */
  getGrantByTokenHash(tokenHash: string): Promise<GrantRecord | null>;
  /** A key's grants in creation order (created_at, grant_id); `token` is a previous `nextToken`. */
  listGrantsByKey(keyId: string, limit: number, token: string | null): Promise<Page<GrantRecord>>;
  /** A grantee's grants on every key, in creation order. */
  listGrantsByGrantee(grantee: string, limit: number, token: string | null): Promise<Page<GrantRecord>>;
  /** The grants on every key that name `name` as their retiring principal, in creation order. */
  listGrantsByRetiringPrincipal(name: string, limit: number, token: string | null): Promise<Page<GrantRecord>>;

  /** The newest record of `writer`'s audit chain (`""`: the shared chain), or null when it has none. */
  auditChainHead(writer: string): Promise<AuditChainHead | null>;
  /** Up to `limit` audit records with seq > `afterSeq`, in seq order (feed to `verifyAuditChain`). */
  listAudit(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /**
   * Up to `limit` audit records matching `filter` with seq < `beforeSeq` (all when null), newest
   * first: the audit view's pages, which start from the present and go back.
   */
  searchAudit(filter: AuditFilter, beforeSeq: number | null, limit: number): Promise<AuditRecord[]>;
  /** The latest successful audit record of a key among `operations` (`Service/Method` names), or null. */
  lastAuditOfKey(keyId: string, operations: readonly string[]): Promise<AuditRecord | null>;
}

/** Which audit records a search returns; every field is optional and set fields combine with AND. */
export interface AuditFilter {
  principal?: string | undefined;
  keyId?: string | undefined;
  /** `<service>/<method>` exactly. */
  operation?: string | undefined;
  /** A method name (`Encrypt`): the records of that method on every surface. */
  method?: string | undefined;
  outcome?: "ok" | "error" | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

/** Computes a record's hash from its predecessor's; in production `auditHash`. */
export type AuditHasher = (prevHash: string, entry: AuditEntryWithSeq) => string;

export interface SecurityStoreTx extends SecurityStoreReader {
  /** Throws `KmsError("AlreadyExists")` when the name, token hash or access key id is taken. */
  insertPrincipal(principal: PrincipalRecord): Promise<void>;
  /** Returns false when no principal had that name. Grants naming it stay (as in AWS). */
  deletePrincipal(name: string): Promise<boolean>;

  /** Throws `AlreadyExists` for a taken key id and `NotFound` when the principal does not exist. */
  insertClientKey(clientKey: ClientKeyRecord): Promise<void>;
  /** Returns false when no ClientKey had that id. */
  deleteClientKey(keyId: string): Promise<boolean>;

  /** Creates or replaces the key's policy. Throws `NotFound` when the key does not exist. */
  putKeyPolicy(policy: KeyPolicyRecord): Promise<void>;

  /**
   * Throws `AlreadyExists` for a taken grant id or token hash and `NotFound` when the key does not
   * exist. On PostgreSQL the failed statement aborts the transaction: let it roll back.
   */
  insertGrant(grant: GrantRecord): Promise<void>;
  /** Retire or revoke. Returns false when no grant had that id. */
  deleteGrant(grantId: string): Promise<boolean>;

  /**
   * Appends one audit record to the shared chain `""` and returns it (the server's calls go to a
   * chain per process instead: {@link SecurityStore.appendAuditRecords}). Appends are serialised: on PostgreSQL by a
   * transaction-scoped advisory lock (`pg_advisory_xact_lock`), held until this transaction ends,
   * so that every instance sharing the database extends one chain; on SQLite by the single
   * connection. Under that lock the store reads the shared chain's last record, places the new one
   * after it (writerSeq = last + 1, or 1), asks `computeHash(lastHash or GENESIS_HASH, entry with
   * seq = writerSeq)` and inserts; the database numbers its trail-wide `seq`.
   *
   * The lock is held until commit, so keep the transaction short: an audit append inside a
   * long key operation's transaction serialises every instance's operations behind it.
   * There is deliberately no update or delete: the trail is append-only.
   */
  appendAudit(entry: AuditEntry, computeHash: AuditHasher): Promise<AuditRecord>;

  /**
   * {@link appendAudit} for several entries in their order, under one lock with one read of the
   * chain head and multi-row INSERTs: what the audit sink's group commit uses.
   */
  appendAuditBatch(entries: readonly AuditEntry[], computeHash: AuditHasher): Promise<AuditRecord[]>;
}

/** Store-level conveniences that open their own transaction. */
export interface SecurityStore extends SecurityStoreReader {
  /**
   * {@link SecurityStoreTx.appendAudit} in a transaction of its own. Do not call it from inside
   * `transaction(…)` on SQLite: the one connection is busy with the outer transaction and the call
   * waits for it forever. Inside a transaction, use `tx.appendAudit`.
   */
  appendAudit(entry: AuditEntry, computeHash: AuditHasher): Promise<AuditRecord>;

  /**
   * Stores records a writer has already placed in its own chain and hashed
   * (`chainAuditEntries`), in their order, atomically — one multi-row INSERT, which on SQLite
   * runs on a thread of its own (`sqlite-audit-writer.ts`). Resolves once they are durable.
   * Rejects with a unique violation (`isUniqueViolation`) when a record's place in its chain is
   * taken: the writer's head was stale, read it again with {@link auditChainHead}.
   */
  appendAuditRecords(records: readonly ChainedAuditRecord[]): Promise<void>;
}
