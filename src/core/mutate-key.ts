import type { CoreDeps } from "./deps.js";
import { KmsError } from "./errors.js";
import { resolveKey } from "./key-id.js";
import type { KeyRecord } from "./types.js";

/**
 * Reads a key under a row lock, applies `change` and writes it back, all in one transaction, so
 * that concurrent changes from several instances serialise in the database. Returning the
 * same object skips the write.
 */
export async function mutateKey(
  deps: Pick<CoreDeps, "store" | "arn" | "materialCache">,
  keyRef: string,
  change: (key: KeyRecord) => KeyRecord | Promise<KeyRecord>,
): Promise<KeyRecord> {
  const resolved = await resolveKey(deps, keyRef);
  return deps.store.transaction(async (tx) => {
    const key = await tx.lockKey(resolved.id);
    if (!key) throw new KmsError("NotFound", `Key '${resolved.id}' does not exist.`);
    const next = await change(key);
    if (next !== key) await tx.updateKey(next);
    return next;
  });
}
