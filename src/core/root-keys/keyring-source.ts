import { RawRootKey, type RootKey } from "../../crypto/root-key.js";
import type { LearnRootKey } from "../../crypto/root-keyring.js";
import type { KeyStoreReader } from "../../store/key-store.js";

/** The `kms_meta` row naming the root key new material is wrapped under. */
export const ACTIVE_ROOT_KEY = "root_key_active";
/** The `kms_meta` row of databases from before the keyring: the check value of their one raw root key. */
export const LEGACY_ROOT_KEY_CHECK = "root_key_check_value";

/** Opens a PKCS#11 root key by label in this process's configured token; absent when none is configured. */
export type OpenPkcs11Key = (label: string) => Promise<RootKey>;

/**
 * How an instance learns a root key it was not started with (docs/operations.md "Several
 * instances"): from the keyring table. A PKCS#11 key is opened by its label in the instance's own
 * token (`KMS_ROOT_KEY_PKCS11_*`); a raw key is unwrapped from its stored copy with the root key
 * that wrapped it (which the ring may in turn learn). The result must carry the id asked for, so a
 * different key under a reused label is never taken for it. Failures answer null: the caller
 * decides whether that stops start-up or fails one call.
 */
export function learnFromStore(store: KeyStoreReader, openPkcs11Key: OpenPkcs11Key | undefined): LearnRootKey {
  return async (id, ring) => {
    const entry = (await store.listRootKeys()).find((e) => e.id === id);
    if (!entry) return null;
    if (entry.kind === "pkcs11") {
      if (!openPkcs11Key || entry.label === null) return null;
      const key = await openPkcs11Key(entry.label).catch(() => null);
      return key?.id === id ? key : null;
    }
    if (entry.wrapped === null || entry.wrappedBy === null || entry.wrappedBy === id) return null;
    let bytes: Buffer | undefined;
    try {
      bytes = await ring.unwrapRootKey(id, entry.wrapped);
      const key = new RawRootKey(bytes);
      return key.id === id ? key : null;
    } catch {
      return null;
    } finally {
      bytes?.fill(0);
    }
  };
}
