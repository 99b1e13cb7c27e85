import { KmsError, toKmsError } from "../domain/errors.js";
import type { CallContext } from "./deps.js";
import type { KeyRecord } from "../domain/types.js";
import { checkLength, checkRange } from "./validate.js";

/** The most items one batch call may carry (Vault's transit batches have no cap; AWS has no batches). */
export const MAX_BATCH_ITEMS = 1000;

/** The longest caller `reference` an item may carry; it is echoed back, never interpreted. */
export const MAX_REFERENCE_LENGTH = 256;

/**
 * Items run this many at a time. Each item is one short store read plus microseconds of crypto,
 * so a few in flight hide a PostgreSQL round trip without letting one call monopolise the pool.
 */
const ITEM_CONCURRENCY = 8;

/** One item's outcome: its result, or the error the single call would have thrown. */
export type ItemOutcome<T> = { ok: true; value: T } | { ok: false; error: KmsError };

/**
 * Runs `fn` once per item, as if each were its own call: each item gets its own context (so the
 * key it resolves, and the authorization of that key, are its own), and a failing item becomes
 * that item's error without touching the others. Outcomes come back in the items' order.
 *
 * Each key reference is resolved once per call and shared by the items that name it, so a batch
 * sees one snapshot of each key; access is still checked for every item.
 *
 * The whole call is audited once: afterwards `call.keyIds` lists every distinct key an item used
 * (sorted) and `call.itemCount` the number of items, for the pipeline's one audit record.
 *
 * A caller that goes away stops the batch: items not yet started are not run and the call fails
 * as cancelled. Anything an item throws that is not a KmsError is reported through `unexpected`
 * (for the log) and answered as `Internal` with the fixed message.
 */
export async function runBatch<C extends CallContext, I extends { reference: string }, T>(
  call: C,
  items: readonly I[],
  fn: (item: I, itemCall: C) => Promise<T>,
  unexpected: (err: unknown) => void,
): Promise<ItemOutcome<T>[]> {
  checkRange("items", items.length, 1, MAX_BATCH_ITEMS);
  const outcomes = new Array<ItemOutcome<T>>(items.length);
  const keyIds = new Set<string>();
  const resolved = new Map<string, Promise<KeyRecord>>();
  let next = 0;

  const runOne = async (index: number): Promise<void> => {
    const item = items[index]!;
    const itemCall: C = { ...call, keyId: undefined, resolved };
    try {
      checkLength("reference", item.reference, 0, MAX_REFERENCE_LENGTH);
      outcomes[index] = { ok: true, value: await fn(item, itemCall) };
    } catch (err) {
      if (!(err instanceof KmsError)) unexpected(err);
      outcomes[index] = { ok: false, error: toKmsError(err) };
    }
    if (itemCall.keyId) keyIds.add(itemCall.keyId);
  };

  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (call.signal?.aborted) throw new KmsError("Cancelled", "The call was cancelled.");
      await runOne(next++);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(ITEM_CONCURRENCY, items.length) }, worker));
  } finally {
    call.keyIds = [...keyIds].sort();
    call.itemCount = items.length;
  }
  return outcomes;
}
