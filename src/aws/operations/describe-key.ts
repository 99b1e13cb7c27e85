import { describeKey as coreDescribeKey } from "../../core/keys/keys.js";
import { keyMetadata } from "../key-metadata.js";
import type { Operation } from "./operation.js";

/** `DescribeKey`: any key in any state, named by id, ARN, alias or alias ARN. */
export const describeKey: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  m.stringList("GrantTokens");
  return async ({ deps, call }) => ({ KeyMetadata: keyMetadata(deps, await coreDescribeKey(deps, call, keyId)) });
};
