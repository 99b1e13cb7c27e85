import type { KeyMetadata, KeySpec, KeyState, KeyUsage } from "../../gen/kms/v1/types_pb.js";

/** A key as the table shows it: its metadata, the aliases that point to it, its creation time in ms. */
export interface KeyRow {
  key: KeyMetadata;
  aliases: string[];
  created: number;
}

export interface KeyFilters {
  spec?: KeySpec | undefined;
  usage?: KeyUsage | undefined;
  state?: KeyState | undefined;
}

/**
 * Whether a key matches the search text (lower case; a substring of its id, an alias, its
 * description, or a tag written `key`, `value` or `key=value`) and every filter that is set.
 */
export function matchesKey(r: KeyRow, query: string, filters: KeyFilters): boolean {
  const { key } = r;
  if (filters.spec !== undefined && key.keySpec !== filters.spec) return false;
  if (filters.usage !== undefined && key.keyUsage !== filters.usage) return false;
  if (filters.state !== undefined && key.keyState !== filters.state) return false;
  if (query === "") return true;
  const haystack = [
    key.keyId,
    key.description,
    ...r.aliases,
    ...Object.entries(key.tags).flatMap(([k, v]) => [k, v, `${k}=${v}`]),
  ];
  return haystack.some((text) => text.toLowerCase().includes(query));
}

/** Sorted by creation time, newest first unless `oldestFirst`; ties by key id, so the order is stable. */
export function sortKeys(rows: KeyRow[], oldestFirst: boolean): KeyRow[] {
  const sign = oldestFirst ? 1 : -1;
  return [...rows].sort((a, b) => sign * (a.created - b.created) || a.key.keyId.localeCompare(b.key.keyId));
}
