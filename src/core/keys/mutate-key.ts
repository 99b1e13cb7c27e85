import type { KeyAction } from "../access/access.js";
import { keyFor } from "../access/authorized-key.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import type { KeyRecord } from "../../domain/types.js";
import type { KeyStoreTx } from "../../store/key-store.js";

/**
 * Reads a key under a row lock, applies `change` and writes it back, all in one transaction, so
 * that concurrent changes from several instances serialise in the database. Returning the
 * same object skips the write. `change` reads anything else it needs through `tx` (on SQLite a
 * read outside the transaction would wait for it).
 */
export async function mutateKey(
  deps: Pick<CoreDeps, "store" | "arn" | "materialCache" | "access">,
  call: CallContext,
  keyRef: string,
  action: KeyAction,
  change: (key: KeyRecord, tx: KeyStoreTx) => KeyRecord | Promise<KeyRecord>,
): Promise<KeyRecord> {
  const resolved = await keyFor(deps, call, keyRef, action);
  return deps.store.transaction(async (tx) => {
    const key = await lockExisting(tx, resolved.id);
    const next = await change(key, tx);
    if (next !== key) await tx.updateKey(next);
    return next;
  });
}

/** Locks a key's row for the rest of the transaction; a key deleted meanwhile is `NotFound`. */
export async function lockExisting(tx: Pick<KeyStoreTx, "lockKey">, id: string): Promise<KeyRecord> {
  const key = await tx.lockKey(id);
  if (!key) throw new KmsError("NotFound", `Key '${id}' does not exist.`);
  return key;
}
