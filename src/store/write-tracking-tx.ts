import type { Kysely } from "kysely";
import type { KeyRecord, KeyVersionRecord } from "../domain/types.js";
import type { ClientKeyRecord, GrantRecord, KeyPolicyRecord, PrincipalRecord } from "../domain/security-records.js";
import { KyselyTx } from "./kysely-tx.js";
import type { Database, StoreDialect } from "./schema.js";

/**
 * A transaction that reports whether it changed a row the {@link ReadCache} may hold (keys and
 * their versions, principals, ClientKeys, key policies, grants). Audit appends, aliases and meta
 * values report nothing, so the audit sink's group commits leave the cache warm.
 */
export class WriteTrackingTx extends KyselyTx {
  constructor(
    db: Kysely<Database>,
    dialect: StoreDialect,
    private readonly onWrite: () => void,
  ) {
    super(db, dialect);
  }

  override updateKey(key: KeyRecord): Promise<void> {
    this.onWrite();
    return super.updateKey(key);
  }

  override insertVersion(version: KeyVersionRecord): Promise<void> {
    this.onWrite();
    return super.insertVersion(version);
  }

  override deleteKey(id: string): Promise<void> {
    this.onWrite();
    return super.deleteKey(id);
  }

  override insertPrincipal(principal: PrincipalRecord): Promise<void> {
    this.onWrite();
    return super.insertPrincipal(principal);
  }

  override deletePrincipal(name: string): Promise<boolean> {
    this.onWrite();
    return super.deletePrincipal(name);
  }

  override insertClientKey(clientKey: ClientKeyRecord): Promise<void> {
    this.onWrite();
    return super.insertClientKey(clientKey);
  }

  override deleteClientKey(keyId: string): Promise<boolean> {
    this.onWrite();
    return super.deleteClientKey(keyId);
  }

  override putKeyPolicy(policy: KeyPolicyRecord): Promise<void> {
    this.onWrite();
    return super.putKeyPolicy(policy);
  }

  override insertGrant(grant: GrantRecord): Promise<void> {
    this.onWrite();
    return super.insertGrant(grant);
  }

  override deleteGrant(grantId: string): Promise<boolean> {
    this.onWrite();
    return super.deleteGrant(grantId);
  }
}
