import type { Insertable, Selectable } from "kysely";
import type {
  AuditRecord,
  ChainedAuditRecord,
  ClientKeyRecord,
  GrantConstraints,
  GrantRecord,
  KeyPolicyRecord,
  PrincipalRecord,
} from "../domain/security-records.js";
import type { AuditTable, ClientKeysTable, GrantsTable, KeyPoliciesTable, PrincipalsTable } from "./schema.js";

/** Row mappers for the security tables (migration 002); see `rows.ts` for the conventions. */

const toDate = (value: number | string): Date => new Date(Number(value));

export function principalFromRow(row: Selectable<PrincipalsTable>): PrincipalRecord {
  return {
    name: row.name,
    isAdmin: row.is_admin !== 0,
    tokenHash: row.token_hash,
    accessKeyId: row.access_key_id,
    wrappedSecret: Buffer.from(row.wrapped_secret),
    createdAt: toDate(row.created_at),
  };
}

export function principalToRow(p: PrincipalRecord): Insertable<PrincipalsTable> {
  return {
    name: p.name,
    is_admin: p.isAdmin ? 1 : 0,
    token_hash: p.tokenHash,
    access_key_id: p.accessKeyId,
    wrapped_secret: p.wrappedSecret,
    created_at: p.createdAt.getTime(),
  };
}

export function keyPolicyFromRow(row: Selectable<KeyPoliciesTable>): KeyPolicyRecord {
  return { keyId: row.key_id, policy: row.policy, updatedAt: toDate(row.updated_at) };
}

export function keyPolicyToRow(p: KeyPolicyRecord): Insertable<KeyPoliciesTable> {
  return { key_id: p.keyId, policy: p.policy, updated_at: p.updatedAt.getTime() };
}

/** Optional fields are omitted, not `undefined`, so a round trip is `toEqual` to what went in. */
export function grantFromRow(row: Selectable<GrantsTable>): GrantRecord {
  return {
    grantId: row.grant_id,
    keyId: row.key_id,
    grantee: row.grantee,
    ...(row.retiring_principal === null ? {} : { retiringPrincipal: row.retiring_principal }),
    operations: JSON.parse(row.operations) as string[],
    ...(row.constraints === null ? {} : { constraints: JSON.parse(row.constraints) as GrantConstraints }),
    ...(row.name === null ? {} : { name: row.name }),
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
    tokenHash: row.token_hash,
  };
}

export function grantToRow(g: GrantRecord): Insertable<GrantsTable> {
  return {
    grant_id: g.grantId,
    key_id: g.keyId,
    grantee: g.grantee,
    retiring_principal: g.retiringPrincipal ?? null,
    operations: JSON.stringify(g.operations),
    constraints: g.constraints === undefined ? null : JSON.stringify(g.constraints),
    name: g.name ?? null,
    token_hash: g.tokenHash,
    created_by: g.createdBy,
    created_at: g.createdAt.getTime(),
  };
}

export function auditFromRow(row: Selectable<AuditTable>): AuditRecord {
  return {
    seq: Number(row.seq),
    at: toDate(row.at),
    principal: row.principal,
    operation: row.operation,
    keyId: row.key_id,
    requestId: row.request_id,
    outcome: row.outcome,
    errorCode: row.error_code,
    ...(row.item_count === null ? {} : { itemCount: Number(row.item_count) }),
    prevHash: row.prev_hash,
    hash: row.hash,
    writer: row.writer,
    writerSeq: Number(row.writer_seq),
  };
}

/** A record as stored (its `seq` is the database's to number). */
export function auditToRow(r: ChainedAuditRecord): Insertable<AuditTable> {
  return {
    at: r.at.getTime(),
    principal: r.principal,
    operation: r.operation,
    key_id: r.keyId,
    request_id: r.requestId,
    outcome: r.outcome,
    error_code: r.errorCode,
    item_count: r.itemCount ?? null,
    prev_hash: r.prevHash,
    hash: r.hash,
    writer: r.writer,
    writer_seq: r.writerSeq,
  };
}

/** The keyset cursor of grant listings (same opaque token format as `page-token.ts`). */
export interface GrantCursor {
  k: "grant";
  t: number;
  g: string;
}

export function isGrantCursor(v: unknown): v is GrantCursor {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const c = v as Record<string, unknown>;
  return c.k === "grant" && typeof c.t === "number" && Number.isSafeInteger(c.t) && typeof c.g === "string";
}

export function encodeGrantCursor(grant: GrantRecord): string {
  const cursor: GrantCursor = { k: "grant", t: grant.createdAt.getTime(), g: grant.grantId };
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

export function clientKeyFromRow(row: Selectable<ClientKeysTable>): ClientKeyRecord {
  return {
    keyId: row.key_id,
    principal: row.principal,
    certificate: row.certificate,
    notAfter: toDate(row.not_after),
    createdAt: toDate(row.created_at),
  };
}

export function clientKeyToRow(k: ClientKeyRecord): Insertable<ClientKeysTable> {
  return {
    key_id: k.keyId,
    principal: k.principal,
    certificate: k.certificate,
    not_after: k.notAfter.getTime(),
    created_at: k.createdAt.getTime(),
  };
}
