import { putKeyPolicy as corePutKeyPolicy } from "../../core/access/key-policies.js";
import { invalidField } from "../../core/validate.js";
import type { Operation } from "./operation.js";

/** `PutKeyPolicy`: replaces the key's `default` policy; a malformed document is a ValidationException. */
export const putKeyPolicy: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const policy = m.requiredString("Policy");
  const policyName = m.string("PolicyName") ?? "default";
  if (policyName !== "default") throw invalidField("policyName", "satisfy enum value set: [default]", policyName);
  return async ({ deps, call }) => {
    await corePutKeyPolicy(deps, call, keyId, policy);
    return {};
  };
};
