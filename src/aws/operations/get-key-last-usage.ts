import { keyArn } from "../../core/keys/key-id.js";
import { getKeyLastUsage as coreLastUsage } from "../../core/keys/key-last-usage.js";
import { epochSeconds } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `GetKeyLastUsage`: the last successful cryptographic operation on the key (from the audit
 * trail), or an empty `KeyLastUsage` when there was none. Tracking starts at the key's creation.
 */
export const getKeyLastUsage: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  return async ({ deps, call }) => {
    const out = await coreLastUsage(deps, call, keyId);
    return {
      KeyId: keyArn(deps, out.key.id),
      KeyLastUsage:
        out.operation && out.at
          ? { Operation: out.operation, Timestamp: epochSeconds(out.at), KmsRequestId: out.requestId }
          : {},
      TrackingStartDate: epochSeconds(out.key.createdAt),
      KeyCreationDate: epochSeconds(out.key.createdAt),
    };
  };
};
