import { rawRootKeyId, type RootKey } from "../../crypto/root-key.js";
import { RootKeyring } from "../../crypto/root-keyring.js";
import type { RandomSource } from "../../crypto/random.js";
import type { KeyStore, RootKeyRecord } from "../../store/key-store.js";
import { ACTIVE_ROOT_KEY, LEGACY_ROOT_KEY_CHECK, learnFromStore, type OpenPkcs11Key } from "./keyring-source.js";

/** Start-up refused because the configured root key cannot serve this database; the message is one line. */
export class RootKeyRefused extends Error {
  override readonly name = "RootKeyRefused";
}

/** The keyring row of a root key: PKCS#11 keys by label, raw keys with no stored copy. */
export function rootKeyRecord(key: RootKey, at: Date, copy?: { wrapped: Buffer; wrappedBy: string }): RootKeyRecord {
  return {
    id: key.id,
    kind: key.kind,
    label: key.label,
    wrapped: copy?.wrapped ?? null,
    wrappedBy: copy?.wrappedBy ?? null,
    createdAt: at,
    retiredAt: null,
  };
}

/**
 * Builds this process's keyring from its configured root key and the database's keyring table.
 *
 * A new database records the configured key as active; a database from before the keyring must
 * have been written under the configured raw key (its stored check value says so). Otherwise the
 * configured key must be a keyring entry that is not retired, and every root key that is not
 * retired — the active one and, during a rotation, the one it replaces — must be reachable
 * (`keyring-source.ts`), or start-up is refused before anything is written: serving with a key
 * missing would fail calls on the rows under it.
 */
export async function openKeyring(opts: {
  store: KeyStore;
  configured: RootKey;
  openPkcs11Key?: OpenPkcs11Key | undefined;
  onClose?: () => Promise<void>;
  random: RandomSource;
  now: Date;
}): Promise<RootKeyring> {
  const { store, configured } = opts;
  const legacyCheck = await store.getMeta(LEGACY_ROOT_KEY_CHECK);
  const legacyId = legacyCheck === null ? undefined : rawRootKeyId(legacyCheck);
  const active =
    (await store.getMeta(ACTIVE_ROOT_KEY)) ??
    (await store.transaction(async (tx) => {
      if (legacyId !== undefined && legacyId !== configured.id) {
        throw new RootKeyRefused(
          "the root key does not match this database (its key check value differs); refusing to start",
        );
      }
      // Two instances may start on a new database at once: only the key that won is recorded.
      const won = await tx.putMetaIfAbsent(ACTIVE_ROOT_KEY, configured.id);
      if (won === configured.id) await tx.putRootKey(rootKeyRecord(configured, opts.now));
      return won;
    }));
  const entries = await store.listRootKeys();
  const own = entries.find((e) => e.id === configured.id);
  if (!own) {
    throw new RootKeyRefused(`the root key (${configured.id}) does not match this database; refusing to start`);
  }
  if (own.retiredAt !== null) {
    throw new RootKeyRefused(
      `the root key (${configured.id}) was rotated away from this database; start with the active root key ${active}`,
    );
  }
  const ring = new RootKeyring({
    keys: [configured],
    active: configured.id,
    random: opts.random,
    learn: learnFromStore(store, opts.openPkcs11Key),
    legacyId,
    onClose: opts.onClose,
  });
  for (const entry of entries.filter((e) => e.retiredAt === null && e.id !== configured.id)) {
    if (!(await ring.activate(entry.id))) {
      await ring.close();
      throw new RootKeyRefused(
        `root key ${entry.id} still protects key material and this instance cannot load it; start with the root key that was active before the rotation, or configure its token (see kms root-key status)`,
      );
    }
  }
  if (!(await ring.activate(active))) {
    await ring.close();
    throw new RootKeyRefused(`the active root key ${active} cannot be loaded; refusing to start`);
  }
  return ring;
}
