/**
 * Domain records of the security layer (docs/security.md): principals, key policies, grants and
 * the audit trail. Transport-free and store-free, like `types.ts`: the store maps rows onto these,
 * the security modules and core reason about them.
 *
 * None of them holds a usable secret: bearer tokens and grant tokens appear only as SHA-256
 * hashes, SigV4 secrets only wrapped under the root key.
 */

/** Someone who may call the service. Both credentials identify the same principal. */
export interface PrincipalRecord {
  /** Unique, chosen by the operator (`kms principal create NAME`); what policies and grants name. */
  name: string;
  /** Admins pass every key policy (the caller checks this before evaluating the policy). */
  isAdmin: boolean;
  /** Hex SHA-256 of the bearer token (see `hashToken`); the token itself is never stored. */
  tokenHash: string;
  /** The SigV4 access key id (`AKIA…`), unique. Not a secret. */
  accessKeyId: string;
  /** The SigV4 secret access key sealed under the root key by the caller; opaque to the store. */
  wrappedSecret: Buffer;
  createdAt: Date;
}

/**
 * A ClientKey of the Alibaba KMS-instance protocol (`src/alibaba/`): an RSA key pair whose private
 * half only its holder has (in the PKCS#12 file `kms client-key create` wrote once). The service
 * keeps the self-signed certificate, to check request signatures with its public key.
 */
export interface ClientKeyRecord {
  /** `KAAP.<uuid>`: what the SDKs send in `x-kms-acccesskeyid`. */
  keyId: string;
  /** The principal the ClientKey authenticates as; deleting the principal deletes its ClientKeys. */
  principal: string;
  /** The X.509 certificate, PEM. */
  certificate: string;
  /** The certificate's end of validity: requests signed after it are refused. */
  notAfter: Date;
  createdAt: Date;
}

/** A key's policy document, stored as the JSON text the caller put (re-parsed on use). */
export interface KeyPolicyRecord {
  keyId: string;
  policy: string;
  updatedAt: Date;
}

/**
 * Encryption-context constraints of a grant, as AWS `GrantConstraints`: with `encryptionContextEquals`
 * the request's context must be exactly this map; with `encryptionContextSubset` it must contain
 * every pair (extra pairs allowed).
 */
export interface GrantConstraints {
  encryptionContextEquals?: Record<string, string>;
  encryptionContextSubset?: Record<string, string>;
}

/** A grant: `grantee` may perform `operations` on `keyId`, under `constraints`. */
export interface Grant {
  grantId: string;
  keyId: string;
  grantee: string;
  /** Who besides the grantee may retire the grant (AWS `RetiringPrincipal`). */
  retiringPrincipal?: string;
  /** AWS operation names without prefix (`"Encrypt"`, `"GenerateDataKey"`); see `GRANT_OPERATIONS`. */
  operations: string[];
  constraints?: GrantConstraints;
  /** A client-chosen name (AWS `Name`); not unique. */
  name?: string;
  /** The principal that created the grant. */
  createdBy: string;
  createdAt: Date;
}

/** A grant as stored: the grant plus the hash of its token, so a token works at once (AWS `GrantTokens`). */
export interface GrantRecord extends Grant {
  /** Hex SHA-256 of the grant token (see `hashToken`); the token itself is never stored. */
  tokenHash: string;
}

/**
 * What a request contributes to the audit trail. Never plaintext, key material, tokens or the
 * values of an encryption context — only who did what to which key, and how it ended.
 */
export interface AuditEntry {
  at: Date;
  principal: string;
  /** The operation's name, e.g. `"Encrypt"`. */
  operation: string;
  /** The key the call used; for a batch call every distinct key its items used, sorted, comma-separated. */
  keyId: string | null;
  requestId: string;
  outcome: "ok" | "error";
  /** The `KmsCode` of a failed request; null when `outcome` is `"ok"`. */
  errorCode: string | null;
  /**
   * How many items a batch call carried; null (or absent, in records written before migration
   * 005) for every other call.
   */
  itemCount?: number | null;
}

/** An entry as the store numbered it, before it is hashed. */
export interface AuditEntryWithSeq extends AuditEntry {
  /**
   * The record's place in the whole trail, in the order records were stored (what listings page
   * by). In records written before migration 007 it is also the place in the one shared chain.
   */
  seq: number;
  /**
   * The chain the record extends (migration 007): each writing process keeps one of its own, so
   * that instances and processes never wait on one global chain head. `""` (or absent) is the
   * shared chain every record before 007 belongs to.
   */
  writer?: string;
  /** 1 for the first record of its writer's chain, then its predecessor's + 1; absent: `seq`. */
  writerSeq?: number;
}

/** An entry placed in its writer's chain, before it is hashed and stored (the store numbers `seq`). */
export interface ChainedAuditEntry extends AuditEntry {
  writer: string;
  writerSeq: number;
}

/** An audit record ready to store: the store assigns its `seq` as it inserts it. */
export interface ChainedAuditRecord extends ChainedAuditEntry {
  prevHash: string;
  hash: string;
}

/** The newest record of one writer's chain: where its next record links. */
export interface AuditChainHead {
  writerSeq: number;
  hash: string;
}

/** A stored audit record: an entry, its position, and its link in the hash chain. */
export interface AuditRecord extends AuditEntryWithSeq {
  /** The previous record of its chain's `hash`, or `GENESIS_HASH` for the chain's first. */
  prevHash: string;
  /** `auditHash(prevHash, entry)`: hex SHA-256 over this record's every other field. */
  hash: string;
}
