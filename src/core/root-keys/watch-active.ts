import type { RootKeyring } from "../../crypto/root-keyring.js";
import type { KeyStoreReader } from "../../store/key-store.js";
import { ACTIVE_ROOT_KEY } from "./keyring-source.js";

/** How often each instance reads which root key is active. */
export const ROOT_KEY_WATCH_MS = 1000;

/**
 * Follows the active root key while the service runs: every {@link ROOT_KEY_WATCH_MS} it reads
 * `root_key_active` and, when it changed, learns the new key and wraps new material under it.
 * Learning eagerly (not at the first row that needs it) is what lets a rotation drop the stored
 * copy of a raw key when it completes: by then every running instance holds it
 * (`rotate-root-key.ts` waits a few periods before moving any row). A failed read is reported
 * and tried again next period; the old active key keeps serving meanwhile.
 */
export function watchActiveRootKey(
  store: KeyStoreReader,
  keyring: RootKeyring,
  onError: (err: unknown, id?: string) => void,
): { stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      const id = await store.getMeta(ACTIVE_ROOT_KEY);
      if (id !== null && id !== keyring.activeId && !(await keyring.activate(id))) {
        onError(new Error("the active root key could not be loaded"), id);
      }
    })()
      .catch((err: unknown) => onError(err))
      .finally(() => {
        busy = false;
      });
  }, ROOT_KEY_WATCH_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
