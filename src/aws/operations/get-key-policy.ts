import { getKeyPolicy as coreGetKeyPolicy } from "../../core/access/key-policies.js";
import { invalidField } from "../../core/validate.js";
import type { Operation } from "./operation.js";

/** `GetKeyPolicy`: each key has one policy, named `default` as in AWS. */
export const getKeyPolicy: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const policyName = m.string("PolicyName") ?? "default";
  if (policyName !== "default") throw invalidField("policyName", "satisfy enum value set: [default]", policyName);
  return async ({ deps, call }) => {
    const out = await coreGetKeyPolicy(deps, call, keyId);
    return { Policy: out.policy, PolicyName: "default" };
  };
};
