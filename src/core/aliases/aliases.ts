import type { KeyAction } from "../access/access.js";
import { keyFor } from "../access/authorized-key.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import { isAliasName, parseKeyRef, resolveKey } from "../keys/key-id.js";
import type { AliasRecord, KeyRecord, Page } from "../../domain/types.js";
import { invalidField, pageSize } from "../validate.js";
import { isAsymmetric, specRow } from "../../domain/specs.js";

/**
 * Alias names: `alias/` + `[a-zA-Z0-9/_-]`, ≤ 256 characters, and never under `alias/aws/`
 * (AWS reserves it for its managed keys). The store's primary key on the name guarantees an
 * alias can never resolve to two keys.
 */
function checkAliasName(name: string): void {
  if (!isAliasName(name)) {
    throw invalidField(
      "aliasName",
      "satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$ (at most 256 characters)",
      name,
    );
  }
  if (name.startsWith("alias/aws/")) {
    throw new KmsError("InvalidArgument", "Alias names that begin with alias/aws/ are reserved.");
  }
}

/**
 * An alias target must be named by key id or key ARN, never by another alias, and the caller
 * needs the alias permission on it (AWS KMS checks the key's policy for alias changes too).
 */
async function targetKey(deps: CoreDeps, call: CallContext, keyRef: string, action: KeyAction): Promise<KeyRecord> {
  if (parseKeyRef(deps, keyRef).kind === "alias") {
    throw invalidField("targetKeyId", "be a key id or key ARN, not an alias");
  }
  const key = await keyFor(deps, call, keyRef, action);
  if (key.state === "PendingDeletion") {
    throw new KmsError("InvalidState", `Key '${key.id}' is pending deletion.`);
  }
  return key;
}

/** The key an existing alias points at, with the caller's permission on it checked. */
async function currentTarget(deps: CoreDeps, call: CallContext, name: string, action: KeyAction): Promise<KeyRecord> {
  const alias = await deps.store.getAlias(name);
  if (!alias) throw new KmsError("NotFound", `Alias '${name}' does not exist.`);
  return keyFor(deps, call, alias.keyId, action);
}

/**
 * AWS KMS moves an alias only to a key of the same type (symmetric, asymmetric or HMAC — the
 * catalogue's family, every key pair counting as asymmetric) and the same key usage, so that code
 * using the alias keeps working.
 */
function requireSameKind(from: KeyRecord, to: KeyRecord): void {
  const kind = (key: KeyRecord) => (isAsymmetric(key.spec) ? "asymmetric" : specRow(key.spec).family);
  if (kind(from) !== kind(to) || from.usage !== to.usage) {
    throw new KmsError(
      "InvalidArgument",
      `The alias points to a ${kind(from)} ${from.usage} key; it can only move to a key of the same type and usage.`,
    );
  }
}

export async function createAlias(
  deps: CoreDeps,
  call: CallContext,
  name: string,
  keyRef: string,
): Promise<AliasRecord> {
  checkAliasName(name);
  const key = await targetKey(deps, call, keyRef, "CreateAlias");
  const now = deps.clock();
  const alias: AliasRecord = { name, keyId: key.id, createdAt: now, updatedAt: now };
  await deps.store.transaction((tx) => tx.insertAlias(alias));
  return alias;
}

/** Re-points an alias; the caller needs `UpdateAlias` on both the old and the new key. */
export async function updateAlias(
  deps: CoreDeps,
  call: CallContext,
  name: string,
  keyRef: string,
): Promise<AliasRecord> {
  checkAliasName(name);
  const previous = await currentTarget(deps, call, name, "UpdateAlias");
  const key = await targetKey(deps, call, keyRef, "UpdateAlias");
  requireSameKind(previous, key);
  return deps.store.transaction(async (tx) => {
    const current = await tx.getAlias(name);
    if (!current) throw new KmsError("NotFound", `Alias '${name}' does not exist.`);
    const next: AliasRecord = { ...current, keyId: key.id, updatedAt: deps.clock() };
    await tx.updateAlias(next);
    return next;
  });
}

export async function deleteAlias(deps: CoreDeps, call: CallContext, name: string): Promise<void> {
  checkAliasName(name);
  await currentTarget(deps, call, name, "DeleteAlias");
  const deleted = await deps.store.transaction((tx) => tx.deleteAlias(name));
  if (!deleted) throw new KmsError("NotFound", `Alias '${name}' does not exist.`);
}

/** Aliases in name order, optionally only those of one key (named any way). */
export async function listAliases(
  deps: CoreDeps,
  _call: CallContext,
  keyRef: string | undefined,
  limit: number | undefined,
  token: string | undefined,
): Promise<Page<AliasRecord>> {
  const size = pageSize(limit);
  const keyId = keyRef ? (await resolveKey(deps, keyRef)).id : undefined;
  return deps.store.listAliases(size, token || null, keyId);
}
