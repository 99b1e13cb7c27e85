import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import { mutateKey } from "./mutate-key.js";
import type { KeyRecord } from "../../domain/types.js";
import { checkLength, invalidField } from "../validate.js";

/** AWS KMS's limits: 50 tags per key; keys 1..128 and values 0..256 characters. */
export const MAX_TAGS = 50;

/** Validates tag keys and values; the count is checked where tags are merged. */
export function checkTags(tags: Record<string, string>): void {
  for (const [k, v] of Object.entries(tags)) {
    checkLength("tagKey", k, 1, 128);
    // The gRPC and Connect decoders drop a `__proto__` map key (bufbuild/protobuf-es#1451), so
    // such a tag could never be read back the same on every surface: refused, as in contexts.
    if (k === "__proto__") throw invalidField("tagKey", "not be __proto__");
    checkLength("tagValue", v, 0, 256);
  }
  checkCount(tags);
}

function checkCount(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) {
    throw new KmsError("LimitExceeded", `A key can have at most ${MAX_TAGS} tags.`);
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
  for (const k of tagKeys) checkLength("tagKeys", k, 1, 128);
  return mutateKey(deps, call, keyRef, "UntagResource", (key) => {
    const rest = { ...key.tags };
    for (const k of tagKeys) delete rest[k];
    return { ...key, tags: rest };
  });
}
