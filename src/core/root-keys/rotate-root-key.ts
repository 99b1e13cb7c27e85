import { setTimeout as sleep } from "node:timers/promises";
import { RawRootKey, type RootKey } from "../../crypto/root-key.js";
import { KmsError } from "../../domain/errors.js";
import type { RootKeyring } from "../../crypto/root-keyring.js";
import type { KeyStore, StoredBlob } from "../../store/key-store.js";
import { ACTIVE_ROOT_KEY } from "./keyring-source.js";
import { rootKeyRecord } from "./open-keyring.js";
import { ROOT_KEY_WATCH_MS } from "./watch-active.js";
import { rootKeyStatus, storedBlobs, type RootKeyUsage } from "./root-key-status.js";

/** Rows re-wrapped per transaction by default: short transactions keep serving instances' writes flowing. */
const BATCH = 50;
/** Passes over the store before giving up on rows that keep changing under us. */
const MAX_PASSES = 5;

/** What a rotation did. */
export interface RotationResult {
  active: string;
  rewrapped: number;
  /** Keys retired by this run (nothing left under them). */
  retired: string[];
  status: RootKeyUsage[];
}

/**
 * `kms root-key rotate`: makes `next` the active root key and re-wraps every stored secret under it,
 * online (docs/operations.md "Root key rotation").
 *
 * 1. Registers `next` in the keyring table — a raw key as a copy wrapped under the key active now,
 *    so that instances holding that key learn it; a PKCS#11 key by label — and makes it active in
 *    the same transaction. A re-run with the same key finds it active and goes on.
 * 2. Waits a few {@link ROOT_KEY_WATCH_MS} periods: every running instance has then learned the key
 *    and wraps new material under it, so nothing is written under the old key behind the passes.
 * 3. Re-wraps, in small transactions, every blob not under `next`, each with a compare-and-swap
 *    on the old bytes: a row changed meanwhile is simply seen again on the next pass. The material
 *    is unchanged, so ciphertexts, caches and serving instances are unaffected.
 * 4. When nothing remains under the other keys, retires them; that drops the stored copy of
 *    `next`, so the old key alone no longer opens anything in the database.
 *
 * Killed at any point, the database is consistent (every row names the key that opens it) and a
 * re-run finishes the job.
 */
export async function rotateRootKey(
  deps: { store: KeyStore; keyring: RootKeyring; clock: () => Date },
  next: RootKey,
  opts: {
    settleMs?: number;
    /** Rows per transaction (default 50). */
    batch?: number;
    /** A pause between transactions, to spare a busy database or HSM (default none). */
    pauseMs?: number;
    onProgress?: (rewrapped: number) => void;
  } = {},
): Promise<RotationResult> {
  const { store, keyring } = deps;
  keyring.add(next);
  await store.transaction(async (tx) => {
    const active = await tx.getMeta(ACTIVE_ROOT_KEY);
    if (active === next.id) return;
    const copy = next instanceof RawRootKey && active !== null ? await rawCopy(keyring, active, next) : undefined;
    await tx.putRootKey(rootKeyRecord(next, deps.clock(), copy));
    await tx.setMeta(ACTIVE_ROOT_KEY, next.id);
  });
  await keyring.activate(next.id);
  await sleep(opts.settleMs ?? 3 * ROOT_KEY_WATCH_MS);

  let rewrapped = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const moved = await rewrapPass(deps, next.id, opts.batch ?? BATCH, opts.pauseMs ?? 0, (n) => {
      rewrapped += n;
      opts.onProgress?.(rewrapped);
    });
    if (moved === 0) break;
  }
  const status = await rootKeyStatus(store, keyring);
  const leftover = status.filter((s) => s.id !== next.id && s.versions + s.principals > 0);
  const retired: string[] = [];
  if (leftover.length === 0) {
    await store.transaction(async (tx) => {
      for (const s of status.filter((s) => s.id !== next.id && s.state !== "retired" && s.kind !== "unknown")) {
        await tx.retireRootKey(s.id, deps.clock());
        retired.push(s.id);
      }
    });
  }
  return { active: next.id, rewrapped, retired, status: await rootKeyStatus(store, keyring) };
}

async function rawCopy(keyring: RootKeyring, wrapperId: string, next: RawRootKey) {
  const bytes = next.exportKey();
  try {
    return { wrapped: await keyring.wrapRootKey(wrapperId, next.id, bytes), wrappedBy: wrapperId };
  } finally {
    bytes.fill(0);
  }
}

/** One pass over the store; returns how many blobs it re-wrapped. */
async function rewrapPass(
  deps: { store: KeyStore; keyring: RootKeyring },
  target: string,
  size: number,
  pauseMs: number,
  progress: (n: number) => void,
): Promise<number> {
  let moved = 0;
  let batch: { table: "version" | "principal"; blob: StoredBlob }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const work = await Promise.all(
      batch.map(async (item) => ({
        ...item,
        to: await deps.keyring.rewrap(aadOwner(item), item.blob.id, item.blob.wrapped, target),
      })),
    );
    batch = [];
    const done = await withRetries(() =>
      deps.store.transaction(async (tx) => {
        let n = 0;
        for (const { table, blob, to } of work) {
          const ok =
            table === "version"
              ? await tx.replaceVersionBlob(blob.owner, blob.id, blob.wrapped, to)
              : await tx.replacePrincipalBlob(blob.owner, blob.wrapped, to);
          if (ok) n++;
        }
        return n;
      }),
    );
    moved += done;
    progress(done);
    if (pauseMs > 0) await sleep(pauseMs);
  };
  for await (const item of storedBlobs(deps.store)) {
    if (deps.keyring.rootKeyOf(item.blob.wrapped) === target) continue;
    batch.push(item);
    if (batch.length >= size) await flush();
  }
  await flush();
  return moved;
}

/** The key id a blob's AAD binds: the key's id, or `principal:<name>` (`core/access/principals.ts`). */
function aadOwner(item: { table: "version" | "principal"; blob: StoredBlob }): string {
  return item.table === "version" ? item.blob.owner : `principal:${item.blob.owner}`;
}

/**
 * A batch that met a busy database (`DependencyTimeout`: serving instances held the lock past the
 * store's timeout) is tried again a few times before the run gives up; each try is a whole
 * transaction, and the compare-and-swap makes repeating it harmless.
 */
async function withRetries<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof KmsError && err.code === "DependencyTimeout") || attempt >= 5) throw err;
      await sleep(250 * attempt);
    }
  }
}
