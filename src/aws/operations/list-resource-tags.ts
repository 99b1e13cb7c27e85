import { describeKey } from "../../core/keys/keys.js";
import { checkRange, invalidField } from "../../core/validate.js";
import type { Operation } from "./operation.js";

const DEFAULT_LIMIT = 50;

/**
 * `ListResourceTags`. A key holds at most 50 tags and core keeps them on the key record, so the
 * page is cut here: tags in key order, `Limit` 1..50 (AWS's range), and the marker is the
 * offset of the next tag — opaque to callers, as AWS's markers are.
 */
export const listResourceTags: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const limit = m.integer("Limit") ?? DEFAULT_LIMIT;
  checkRange("limit", limit, 1, 50);
  const marker = m.string("Marker");
  const start = marker === undefined ? 0 : Number(marker);
  if (marker !== undefined && !(/^\d{1,3}$/.test(marker) && start <= 50)) {
    throw invalidField("marker", "be a marker returned by a previous ListResourceTags call");
  }
  return async ({ deps, call }) => {
    const key = await describeKey(deps, call, keyId);
    const all = Object.entries(key.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const page = all.slice(start, start + limit);
    const next = start + page.length;
    return {
      Tags: page.map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
      ...(next < all.length ? { Truncated: true, NextMarker: String(next) } : { Truncated: false }),
    };
  };
};
