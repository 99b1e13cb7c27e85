import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import { mutateKey } from "./mutate-key.js";
import type { KeyRecord } from "../../domain/types.js";
import { checkLength, invalidField } from "../validate.js";

/** AWS KMS's limits: 50 tags per key; keys 1..128 and values 0..256 characters. */
export const MAX_TAGS = 50;

/** AWS reserves tag keys that start with `aws:`, in any case. */
const RESERVED_PREFIX = "aws:";

/** Refuses a reserved tag key with `Tag` (AWS `TagException`). */
export function checkTagKey(k: string): void {
  checkLength("tagKey", k, 1, 128);
  if (k.slice(0, RESERVED_PREFIX.length).toLowerCase() === RESERVED_PREFIX) {
    throw new KmsError("Tag", `Tag keys must not start with '${RESERVED_PREFIX}' (reserved for AWS).`);
  }
}

/**
 * Validates tag keys and values; the count is checked where tags are merged. A reserved key or
 * more than 50 tags is `Tag` (AWS `TagException`).
 */
export function checkTags(tags: Record<string, string>): void {
  for (const [k, v] of Object.entries(tags)) {
    checkTagKey(k);
    // The gRPC and Connect decoders drop a `__proto__` map key (bufbuild/protobuf-es#1451), so
    // such a tag could never be read back the same on every surface: refused, as in contexts.
    if (k === "__proto__") throw invalidField("tagKey", "not be __proto__");
    checkLength("tagValue", v, 0, 256);
  }
  checkCount(tags);
}

function checkCount(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) {
    throw new KmsError("Tag", `A key can have at most ${MAX_TAGS} tags.`);
  }
}

/** Adds or overwrites tags. */
export function tagKey(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  tags: Record<string, string>,
): Promise<KeyRecord> {
  checkTags(tags);
  return mutateKey(deps, call, keyRef, "TagResource", (key) => {
    const merged = { ...key.tags, ...tags };
    checkCount(merged);
    return { ...key, tags: merged };
  });
}

/** Removes tags; absent tag keys are ignored, as AWS KMS does. */
export function untagKey(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  tagKeys: readonly string[],
): Promise<KeyRecord> {
  for (const k of tagKeys) checkTagKey(k);
  return mutateKey(deps, call, keyRef, "UntagResource", (key) => {
    const rest = { ...key.tags };
    for (const k of tagKeys) delete rest[k];
    return { ...key, tags: rest };
  });
}
