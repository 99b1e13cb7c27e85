import type { PrincipalRecord } from "../../domain/security-records.js";
import { KmsError } from "../../domain/errors.js";
import { createPrincipal, deletePrincipal, type PrincipalCredentials } from "../access/principals.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { requireAdmin } from "./require-admin.js";

/** A principal as an admin may see it: no token hash, no wrapped secret. */
export interface PrincipalSummary {
  name: string;
  admin: boolean;
  accessKeyId: string;
  createdAt: Date;
}

function summary(p: Pick<PrincipalRecord, "name" | "isAdmin" | "accessKeyId" | "createdAt">): PrincipalSummary {
  return { name: p.name, admin: p.isAdmin, accessKeyId: p.accessKeyId, createdAt: p.createdAt };
}

/** Every principal, by name (admins only). What `kms principal list` prints, over the API. */
export async function listPrincipals(deps: Pick<CoreDeps, "store">, call: CallContext): Promise<PrincipalSummary[]> {
  requireAdmin(call);
  return (await deps.store.listPrincipals()).map(summary);
}

/**
 * Creates a principal with fresh credentials (admins only); the credentials in the result are
 * their only copy. Callers cannot choose credentials here: over the API they would travel twice.
 */
export async function createPrincipalAsAdmin(
  deps: Pick<CoreDeps, "store" | "keyring" | "clock" | "random">,
  call: CallContext,
  input: { name: string; admin: boolean },
): Promise<{ principal: PrincipalSummary; credentials: PrincipalCredentials }> {
  requireAdmin(call);
  const credentials = await createPrincipal(deps, input);
  const stored = await deps.store.getPrincipal(input.name);
  if (!stored) throw new KmsError("Internal", "The new principal was not found.");
  return { principal: summary(stored), credentials };
}

/**
 * Deletes a principal (admins only). An admin cannot delete itself: the console would lose its
 * session in the middle of the call, and the last admin could lock everyone out of administration.
 */
export async function deletePrincipalAsAdmin(
  deps: Pick<CoreDeps, "store" | "clock">,
  call: CallContext,
  name: string,
): Promise<void> {
  requireAdmin(call);
  if (name === call.principal.name) {
    throw new KmsError("InvalidState", "A principal cannot delete itself; sign in as another admin.");
  }
  await deletePrincipal(deps, name);
}
