import { tagKey } from "../../core/keys/tags.js";
import { missing } from "../json.js";
import type { Operation } from "./operation.js";

/** `TagResource`: adds or overwrites tags; more than 50 on a key is `LimitExceededException`. */
export const tagResource: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  if (!m.has("Tags")) throw missing("Tags");
  const tags = m.tags("Tags");
  return async ({ deps, call }) => {
    await tagKey(deps, call, keyId, tags);
    return {};
  };
};
