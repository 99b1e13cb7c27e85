import { untagKey } from "../../core/keys/tags.js";
import { missing } from "../json.js";
import type { Operation } from "./operation.js";

/** `UntagResource`: absent tag keys are ignored, as AWS ignores them. */
export const untagResource: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  if (!m.has("TagKeys")) throw missing("TagKeys");
  const tagKeys = m.stringList("TagKeys");
  return async ({ deps, call }) => {
    await untagKey(deps, call, keyId, tagKeys);
    return {};
  };
};
