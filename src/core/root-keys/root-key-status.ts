import type { RootKeyring } from "../../crypto/root-keyring.js";
import type { KeyStoreReader, StoredBlob } from "../../store/key-store.js";
import { ACTIVE_ROOT_KEY } from "./keyring-source.js";

const PAGE = 500;

/** One root key and how much stored material it still protects. */
export interface RootKeyUsage {
  id: string;
  kind: "raw" | "pkcs11" | "unknown";
  label: string | null;
  state: "active" | "in use" | "retired";
  /** Key versions whose material is wrapped under this key. */
  versions: number;
  /** Principals whose secret is wrapped under this key. */
  principals: number;
}

/** Every stored wrapped secret, page by page: versions first, then principals. */
export async function* storedBlobs(
  store: KeyStoreReader,
): AsyncGenerator<{ table: "version" | "principal"; blob: StoredBlob }> {
  let after: { keyId: string; versionId: string } | null = null;
  for (;;) {
    const page = await store.listVersionBlobs(after, PAGE);
    for (const blob of page) yield { table: "version", blob };
    if (page.length < PAGE) break;
    const last = page.at(-1)!;
    after = { keyId: last.owner, versionId: last.id };
  }
  let name: string | null = null;
  for (;;) {
    const page = await store.listPrincipalBlobs(name, PAGE);
    for (const blob of page) yield { table: "principal", blob };
    if (page.length < PAGE) break;
    name = page.at(-1)!.owner;
  }
}

/**
 * `kms root-key status`: each root key of the keyring and how many versions and principal
 * secrets remain under it, counted from the blobs themselves (each names its root key), so the
 * figures are exact whatever a killed rotation left behind. A rotation is complete when every
 * key but the active one shows zero.
 */
export async function rootKeyStatus(store: KeyStoreReader, ring: RootKeyring): Promise<RootKeyUsage[]> {
  const active = await store.getMeta(ACTIVE_ROOT_KEY);
  const usage = new Map<string, RootKeyUsage>();
  for (const e of await store.listRootKeys()) {
    const state = e.id === active ? "active" : e.retiredAt === null ? "in use" : "retired";
    usage.set(e.id, { id: e.id, kind: e.kind, label: e.label, state, versions: 0, principals: 0 });
  }
  for await (const { table, blob } of storedBlobs(store)) {
    const id = ring.rootKeyOf(blob.wrapped) ?? "unreadable";
    let row = usage.get(id);
    if (!row) {
      row = { id, kind: "unknown", label: null, state: "in use", versions: 0, principals: 0 };
      usage.set(id, row);
    }
    if (table === "version") row.versions++;
    else row.principals++;
  }
  return [...usage.values()];
}
