import { enableKey as coreEnableKey } from "../../core/keys/key-state.js";
import type { Operation } from "./operation.js";

/** `EnableKey`. Empty reply; a key pending deletion is `KMSInvalidStateException`. */
export const enableKey: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  return async ({ deps, call }) => {
    await coreEnableKey(deps, call, keyId);
    return {};
  };
};
