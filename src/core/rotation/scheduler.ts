import type { CoreDeps } from "../deps.js";
import { rotateDueKeys } from "./rotation.js";
import { type ExpiredMaterial, expireImportedMaterial } from "../imports/material-removal.js";

/**
 * Destroys keys whose deletion window has passed: the key, its versions (material) and its
 * aliases, in one transaction per batch. Keys are claimed `FOR UPDATE SKIP LOCKED`, so with
 * several instances each key is deleted once. Returns the deleted key ids.
 */
export async function sweepDeletedKeys(deps: CoreDeps, batch = 100): Promise<string[]> {
  const now = deps.clock();
  const deleted = await deps.store.transaction(async (tx) => {
    const due = await tx.lockKeysDueForDeletion(now, batch);
    for (const key of due) await tx.deleteKey(key.id);
    return due.map((k) => k.id);
  });
  for (const id of deleted) deps.materialCache.invalidate(id);
  return deleted;
}

export interface Scheduler {
  /** Runs one sweep and one rotation pass now (also what the timer runs). */
  tick(): Promise<void>;
  stop(): void;
}

/**
 * Runs the deletion sweeper, the automatic-rotation pass and the expiry of imported material every `intervalMs` on every
 * instance; exactly-once comes from the database claims, not from electing a leader.
 */
export function startScheduler(
  deps: CoreDeps,
  intervalMs: number,
  onError: (err: unknown) => void,
  onWork: (what: { deleted: string[]; rotated: number; expired: ExpiredMaterial[] }) => void = () => {},
): Scheduler {
  let running: Promise<void> | undefined;
  const tick = async () => {
    if (running) return running;
    running = (async () => {
      try {
        const deleted = await sweepDeletedKeys(deps);
        const rotated = await rotateDueKeys(deps);
        const expired = await expireImportedMaterial(deps);
        if (deleted.length > 0 || rotated > 0 || expired.length > 0) onWork({ deleted, rotated, expired });
      } catch (err) {
        onError(err);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
