import { disableKey as coreDisableKey } from "../../core/keys/key-state.js";
import type { Operation } from "./operation.js";

/** `DisableKey`. Empty reply; a key pending deletion is `KMSInvalidStateException`. */
export const disableKey: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  return async ({ deps, call }) => {
    await coreDisableKey(deps, call, keyId);
    return {};
  };
};
