import type { CoreDeps } from "./deps.js";
import { KmsError } from "./errors.js";
import { isAliasName, parseKeyRef, resolveKey } from "./key-id.js";
import type { AliasRecord, KeyRecord, Page } from "./types.js";
import { invalidField, pageSize } from "./validate.js";

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

/** An alias target must be named by key id or key ARN, never by another alias. */
async function targetKey(deps: CoreDeps, keyRef: string): Promise<KeyRecord> {
  if (parseKeyRef(deps, keyRef).kind === "alias") {
    throw invalidField("targetKeyId", "be a key id or key ARN, not an alias");
  }
  const key = await resolveKey(deps, keyRef);
  if (key.state === "PendingDeletion") {
    throw new KmsError("InvalidState", `Key '${key.id}' is pending deletion.`);
  }
  return key;
}

export async function createAlias(deps: CoreDeps, name: string, keyRef: string): Promise<AliasRecord> {
  checkAliasName(name);
  const key = await targetKey(deps, keyRef);
  const now = deps.clock();
  const alias: AliasRecord = { name, keyId: key.id, createdAt: now, updatedAt: now };
  await deps.store.transaction((tx) => tx.insertAlias(alias));
  return alias;
}

export async function updateAlias(deps: CoreDeps, name: string, keyRef: string): Promise<AliasRecord> {
  checkAliasName(name);
  const key = await targetKey(deps, keyRef);
  return deps.store.transaction(async (tx) => {
    const current = await tx.getAlias(name);
    if (!current) throw new KmsError("NotFound", `Alias '${name}' does not exist.`);
    const next: AliasRecord = { ...current, keyId: key.id, updatedAt: deps.clock() };
    await tx.updateAlias(next);
    return next;
  });
}

export async function deleteAlias(deps: CoreDeps, name: string): Promise<void> {
  checkAliasName(name);
  const deleted = await deps.store.transaction((tx) => tx.deleteAlias(name));
  if (!deleted) throw new KmsError("NotFound", `Alias '${name}' does not exist.`);
}

/** Aliases in name order, optionally only those of one key (named any way). */
export async function listAliases(
  deps: CoreDeps,
  keyRef: string | undefined,
  limit: number | undefined,
  token: string | undefined,
): Promise<Page<AliasRecord>> {
  const size = pageSize(limit);
  const keyId = keyRef ? (await resolveKey(deps, keyRef)).id : undefined;
  return deps.store.listAliases(size, token || null, keyId);
}
