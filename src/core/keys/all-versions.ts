import type { KeyStoreReader } from "../../store/key-store.js";
import type { KeyVersionRecord } from "../../domain/types.js";

const PAGE = 500;

/** Every version of a key, oldest first, read page by page (inside or outside a transaction). */
export async function allVersions(
  store: Pick<KeyStoreReader, "listVersions">,
  keyId: string,
): Promise<KeyVersionRecord[]> {
  const versions: KeyVersionRecord[] = [];
  let token: string | null = null;
  do {
    const page = await store.listVersions(keyId, PAGE, token);
    versions.push(...page.items);
    token = page.nextToken;
  } while (token !== null);
  return versions;
}
