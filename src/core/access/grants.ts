import { hashToken } from "../../security/credentials.js";
import {
  type GrantRequest,
  isWellFormedGrantToken,
  newGrantId,
  newGrantToken,
  validateGrantRequest,
} from "../../security/grants.js";
import type { GrantRecord } from "../../domain/security-records.js";
import { keyFor } from "./authorized-key.js";
import { resolveKey } from "../keys/key-id.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import type { Page } from "../../domain/types.js";
import { checkGrantTokens, checkLength, pageSize } from "../validate.js";

export interface CreateGrantInput extends GrantRequest {
  keyRef: string;
  grantTokens?: readonly string[] | undefined;
}

/**
 * Creates a grant. The token is returned once and stored only as its hash; it works at once in
 * `grant_tokens`, before a caller could list the grant (AWS's eventual-consistency escape hatch,
 * which here is simply true).
 */
export async function createGrant(
  deps: CoreDeps,
  call: CallContext,
  input: CreateGrantInput,
): Promise<{ grantId: string; grantToken: string }> {
  checkGrantTokens(input.grantTokens ?? []);
  const request = validateGrantRequest({
    grantee: input.grantee,
    operations: input.operations,
    ...(input.retiringPrincipal ? { retiringPrincipal: input.retiringPrincipal } : {}),
    ...(input.constraints ? { constraints: input.constraints } : {}),
    ...(input.name ? { name: input.name } : {}),
  });
  const key = await keyFor(deps, call, input.keyRef, "CreateGrant", { grantTokens: input.grantTokens });
  if (key.state === "PendingDeletion") throw new KmsError("InvalidState", `Key '${key.id}' is pending deletion.`);
  const grantToken = newGrantToken(deps.random);
  const grant: GrantRecord = {
    ...request,
    grantId: newGrantId(deps.random),
    keyId: key.id,
    createdBy: call.principal.name,
    createdAt: deps.clock(),
    tokenHash: hashToken(grantToken),
  };
  await deps.store.transaction((tx) => tx.insertGrant(grant));
  return { grantId: grant.grantId, grantToken };
}

/** A key's grants, optionally one grant or one grantee's. */
export async function listGrants(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  filter: { grantId?: string | undefined; grantee?: string | undefined },
  limit: number | undefined,
  token: string | undefined,
): Promise<Page<GrantRecord>> {
  const key = await keyFor(deps, call, keyRef, "ListGrants");
  const page = await deps.store.listGrantsByKey(key.id, pageSize(limit), token || null);
  const items = page.items.filter(
    (g) => (!filter.grantId || g.grantId === filter.grantId) && (!filter.grantee || g.grantee === filter.grantee),
  );
  return { items, nextToken: page.nextToken };
}

/**
 * The grants, on every key, that name `retiringPrincipal` as the principal that may retire them
 * (AWS `ListRetirableGrants`). AWS lets any caller with `kms:ListRetirableGrants` in IAM ask about
 * any principal of the account; there is no IAM here, so admins may ask about anyone and other
 * principals only about themselves — a grant names its key, grantee and operations, which a
 * principal that may not see the key must not learn.
 */
export async function listRetirableGrants(
  deps: CoreDeps,
  call: CallContext,
  retiringPrincipal: string,
  limit: number | undefined,
  token: string | undefined,
): Promise<Page<GrantRecord>> {
  checkLength("retiringPrincipal", retiringPrincipal, 1, 256);
  const me = call.principal;
  if (!me.admin && me.name !== retiringPrincipal) {
    throw new KmsError(
      "AccessDenied",
      `Principal '${me.name}' is not authorized to perform kms:ListRetirableGrants for another principal.`,
    );
  }
  return deps.store.listGrantsByRetiringPrincipal(retiringPrincipal, pageSize(limit), token || null);
}

/**
 * Retires a grant, named by its token or by key and grant id. AWS lets the grantee (when the
 * grant includes RetireGrant), the retiring principal and the account retire; here the grantee,
 * the retiring principal and admins may.
 */
export async function retireGrant(
  deps: CoreDeps,
  call: CallContext,
  by: { grantToken?: string | undefined; keyRef?: string | undefined; grantId?: string | undefined },
  /** AWS's `DryRun`: every check runs, then `DryRun` is thrown instead of retiring. */
  opts: { dryRun?: boolean } = {},
): Promise<void> {
  let grant: GrantRecord | null;
  if (by.grantToken) {
    grant = isWellFormedGrantToken(by.grantToken)
      ? await deps.store.getGrantByTokenHash(hashToken(by.grantToken))
      : null;
    if (!grant) throw new KmsError("InvalidGrantToken", "The grant token is not valid.");
  } else {
    if (!by.keyRef || !by.grantId) {
      throw new KmsError("InvalidArgument", "RetireGrant needs a grant token, or a key id with a grant id.");
    }
    // The grantee usually holds no kms:RetireGrant on the key, so the key is only resolved here:
    // who may retire is decided below, from the grant itself.
    const key = await resolveKey(deps, by.keyRef);
    grant = await deps.store.getGrant(by.grantId);
    if (!grant || grant.keyId !== key.id) throw new KmsError("NotFound", "The grant does not exist.");
  }
  call.keyId = grant.keyId;
  const me = call.principal;
  const mayRetire = me.admin || grant.retiringPrincipal === me.name || grant.grantee === me.name;
  if (!mayRetire) {
    throw new KmsError(
      "AccessDenied",
      `Principal '${me.name}' is not authorized to perform kms:RetireGrant on this grant.`,
    );
  }
  if (opts.dryRun) throw new KmsError("DryRun", "The request would have succeeded, but DryRun was set.");
  await deps.store.transaction((tx) => tx.deleteGrant(grant.grantId));
}

/** Revokes a grant; needs `kms:RevokeGrant` on the key. */
export async function revokeGrant(deps: CoreDeps, call: CallContext, keyRef: string, grantId: string): Promise<void> {
  const key = await keyFor(deps, call, keyRef, "RevokeGrant");
  const grant = await deps.store.getGrant(grantId);
  if (!grant || grant.keyId !== key.id) throw new KmsError("NotFound", "The grant does not exist.");
  await deps.store.transaction((tx) => tx.deleteGrant(grantId));
}
