import { KmsError } from "../../domain/errors.js";
import { SYMMETRIC_SPECS } from "../../domain/specs.js";
import type { KeyRecord, KeyVersionRecord } from "../../domain/types.js";
import type { KeyStoreReader } from "../../store/key-store.js";
import { keyFor } from "../access/authorized-key.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { requireNotPendingDeletion } from "./key-rules.js";
import { lockExisting } from "./mutate-key.js";

/**
 * Retiring old key versions, as OpenBao's transit engine does with `min_decryption_version` and
 * `trim`: rotate → re-encrypt everything (ReEncrypt still reads retired versions) → raise the
 * minimum → trim. See `docs/key-versions.md`.
 *
 * The rule for the initial version: the raw form (Encrypt, GenerateDataKeyPair and their
 * Decrypt) names no version — it always means the key's initial version. So the initial version
 * may be retired (then those calls are refused with `VersionRetired`, and blobs made under it
 * still re-encrypt), but it is never trimmed while the key exists: its material is what every
 * raw-form ciphertext of the key needs. The primary version is the newest, so it is never below
 * the minimum and never retired.
 */

/** Whether a version still decrypts. */
export type VersionState = "USABLE" | "RETIRED" | "TRIMMED";

/** A version with its state, as ListKeyVersions reports it. */
export type VersionView = KeyVersionRecord & { state: VersionState };

/** True when `a` comes before `b` in the key's version order, (created_at, version id). */
function before(a: KeyVersionRecord, b: KeyVersionRecord): boolean {
  const diff = a.createdAt.getTime() - b.createdAt.getTime();
  return diff !== 0 ? diff < 0 : a.versionId < b.versionId;
}

/** One version's state given the key's minimum decryption version (null when none is set). */
export function versionState(version: KeyVersionRecord, min: KeyVersionRecord | null): VersionState {
  if (version.trimmedAt) return "TRIMMED";
  return min && before(version, min) ? "RETIRED" : "USABLE";
}

/** The minimum decryption version's record, or null when the key has none. */
export async function minVersionOf(store: Pick<KeyStoreReader, "getVersion">, key: KeyRecord) {
  return key.minDecryptionVersionId ? store.getVersion(key.id, key.minDecryptionVersionId) : null;
}

/**
 * Refuses a version below the key's minimum with `VersionRetired`; `reEncrypt` lets a retired
 * (but not a trimmed) version through, so data can still be moved off it. Costs no read while
 * the key has no minimum.
 */
export async function requireDecryptable(
  deps: Pick<CoreDeps, "store">,
  key: KeyRecord,
  versionId: string,
  reEncrypt: boolean,
): Promise<void> {
  if (!key.minDecryptionVersionId || versionId === key.minDecryptionVersionId) return;
  const [version, min] = await Promise.all([deps.store.getVersion(key.id, versionId), minVersionOf(deps.store, key)]);
  if (!version) return;
  const state = versionState(version, min);
  if (state === "TRIMMED" || (state === "RETIRED" && !reEncrypt)) {
    throw new KmsError("VersionRetired", `Key version '${versionId}' of key '${key.id}' is retired.`);
  }
}

/** Every version of a key, oldest first. */
async function allVersions(store: Pick<KeyStoreReader, "listVersions">, keyId: string): Promise<KeyVersionRecord[]> {
  const out: KeyVersionRecord[] = [];
  let token: string | null = null;
  do {
    const page = await store.listVersions(keyId, 1000, token);
    out.push(...page.items);
    token = page.nextToken;
  } while (token);
  return out;
}

function requireRetirable(key: KeyRecord): void {
  requireNotPendingDeletion(key);
  if (key.usage !== "ENCRYPT_DECRYPT" || !SYMMETRIC_SPECS.includes(key.spec)) {
    throw new KmsError("UnsupportedOperation", `Key '${key.id}' is ${key.spec}; only symmetric keys retire versions.`);
  }
}

/**
 * Sets (or with an empty id clears) the key's minimum decryption version, under the key's row
 * lock. The minimum may move down again, but never below a trimmed version: that material is gone.
 */
export async function setMinDecryptionVersion(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  versionId: string,
): Promise<KeyRecord> {
  const found = await keyFor(deps, call, keyRef, "SetMinDecryptionVersion");
  return deps.store.transaction(async (tx) => {
    const key = await lockExisting(tx, found.id);
    requireRetirable(key);
    const versions = await allVersions(tx, key.id);
    const target = versionId ? versions.find((v) => v.versionId === versionId) : undefined;
    if (versionId && !target) {
      throw new KmsError("NotFound", `Key version '${versionId}' of key '${key.id}' does not exist.`);
    }
    if (versions.some((v) => v.trimmedAt && !(target && before(v, target)))) {
      throw new KmsError("InvalidState", `Key '${key.id}' has trimmed versions at or above that minimum.`);
    }
    const next = { ...key, minDecryptionVersionId: target?.versionId ?? null };
    await tx.updateKey(next);
    return next;
  });
}

/**
 * Destroys the material of every retired version except the initial one, irreversibly; returns
 * the trimmed version ids, oldest first. Nothing is trimmed while the key has no minimum.
 */
export async function trimKeyVersions(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
): Promise<{ key: KeyRecord; trimmed: string[] }> {
  const found = await keyFor(deps, call, keyRef, "TrimKeyVersions");
  const result = await deps.store.transaction(async (tx) => {
    const key = await lockExisting(tx, found.id);
    requireRetirable(key);
    const versions = await allVersions(tx, key.id);
    const min = versions.find((v) => v.versionId === key.minDecryptionVersionId) ?? null;
    const doomed = versions.filter((v) => versionState(v, min) === "RETIRED" && v.versionId !== key.initialVersionId);
    const now = deps.clock();
    for (const v of doomed) await tx.trimVersion(key.id, v.versionId, now);
    return { key, trimmed: doomed.map((v) => v.versionId) };
  });
  deps.materialCache.invalidate(result.key.id);
  return result;
}
