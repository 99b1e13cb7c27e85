import type { AuditRecord } from "../../domain/security-records.js";
import { KmsError } from "../../domain/errors.js";
import { type AuditVerification, verifyAuditChain } from "../../security/audit-chain.js";
import type { AuditFilter, SecurityStoreReader } from "../../store/security-store.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { invalidField, pageSize } from "../validate.js";
import { requireAdmin } from "./require-admin.js";

/** What the audit view asks for: filters, a page size and the previous page's token. */
export interface AuditQuery {
  principal?: string | undefined;
  keyId?: string | undefined;
  /** `<service>/<method>`, or a bare method name for that method on every surface. */
  operation?: string | undefined;
  outcome?: "ok" | "error" | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  pageSize?: number | undefined;
  pageToken?: string | undefined;
}

/** Operation names as the pipeline records them: `kms.v1.KeyService/CreateKey`, `TrentService/Encrypt`. */
const QUALIFIED = /^[A-Za-z0-9.]{1,128}\/[A-Za-z0-9]{1,128}$/;
/** A bare method: letters and digits only, so it cannot carry a LIKE wildcard into the store's query. */
const METHOD = /^[A-Za-z0-9]{1,128}$/;
/** A page token is the seq the next page starts below: a positive integer, in decimal. */
const TOKEN = /^[1-9][0-9]{0,15}$/;

function filterOf(q: AuditQuery): AuditFilter {
  const filter: AuditFilter = {
    principal: q.principal || undefined,
    keyId: q.keyId || undefined,
    outcome: q.outcome,
    from: q.from,
    to: q.to,
  };
  if (q.operation) {
    if (QUALIFIED.test(q.operation)) filter.operation = q.operation;
    else if (METHOD.test(q.operation)) filter.method = q.operation;
    else throw invalidField("operation", "be <service>/<method> or a method name", q.operation);
  }
  for (const [field, date] of [["startTime", q.from] as const, ["endTime", q.to] as const]) {
    if (date !== undefined && Number.isNaN(date.getTime())) throw invalidField(field, "be a valid time");
  }
  if (q.from && q.to && q.from.getTime() >= q.to.getTime()) {
    throw invalidField("endTime", "be after startTime");
  }
  return filter;
}

/**
 * One page of the audit trail, newest first (admins only). Paging walks down by seq, so records
 * appended while someone pages never shift the pages already shown.
 */
export async function listAuditRecords(
  deps: Pick<CoreDeps, "store">,
  call: CallContext,
  query: AuditQuery,
): Promise<{ records: AuditRecord[]; nextToken: string | null }> {
  requireAdmin(call);
  const filter = filterOf(query);
  const limit = pageSize(query.pageSize, "pageSize");
  if (query.pageToken && !TOKEN.test(query.pageToken))
    throw new KmsError("InvalidArgument", "The page token is invalid.");
  const before = query.pageToken ? Number(query.pageToken) : null;
  const rows = await deps.store.searchAudit(filter, before, limit + 1);
  const records = rows.slice(0, limit);
  const last = records[records.length - 1];
  return { records, nextToken: rows.length > limit && last ? String(last.seq) : null };
}

const PAGE = 1000;

/** Every audit record in seq order, read a page at a time (what `verifyAuditChain` walks). */
export async function* wholeChain(store: Pick<SecurityStoreReader, "listAudit">): AsyncGenerator<AuditRecord> {
  let after = 0;
  for (;;) {
    const page = await store.listAudit(after, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.seq;
  }
}

/** A record hash as the chain stores it: 64 lowercase hex digits (SHA-256). */
const RECORD_HASH = /^[0-9a-f]{64}$/;

/**
 * Verifies the whole hash chain (admins only), as `kms audit verify` does: intact with its head,
 * or the first bad record and why. Reads the chain page by page, in constant memory. An expected
 * head that is not a hash at all (`deadbeef`) is refused as invalid rather than reported as
 * `head` — that verdict means records were deleted, which such a value cannot show.
 */
export async function verifyAudit(
  deps: Pick<CoreDeps, "store">,
  call: CallContext,
  expectHead?: string,
): Promise<AuditVerification> {
  requireAdmin(call);
  if (expectHead !== undefined && !RECORD_HASH.test(expectHead.toLowerCase())) {
    throw invalidField("expectHeadHash", "be a record hash: 64 hex digits");
  }
  return verifyAuditChain(wholeChain(deps.store), expectHead ? { expectHead: expectHead.toLowerCase() } : {});
}
