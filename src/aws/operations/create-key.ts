import { KmsError } from "../../domain/errors.js";
import { createKey as coreCreateKey } from "../../core/keys/keys.js";
import { AWS_KEY_SPECS, AWS_KEY_USAGES, AWS_ORIGINS, awsKeySpec, fromAws } from "../enums.js";
import { specRow } from "../../domain/specs.js";
import { keyMetadata } from "../key-metadata.js";
import type { Operation } from "./operation.js";

/**
 * `CreateKey`. `KeySpec` and its deprecated twin `CustomerMasterKeySpec` are both accepted, not
 * together (AWS's rule). `Origin: EXTERNAL` makes a key that waits for imported material. Options
 * this service cannot honour — custom key stores, multi-Region keys — are refused with `UnsupportedOperationException` instead
 * of creating a key that is not what was asked for. `Policy` becomes the key's policy (else the
 * creator gets full access).
 */
export const createKey: Operation = (m) => {
  const keySpec = m.string("KeySpec");
  const legacySpec = m.string("CustomerMasterKeySpec");
  if (keySpec !== undefined && legacySpec !== undefined) {
    throw new KmsError("InvalidArgument", "You cannot specify KeySpec and CustomerMasterKeySpec in the same request.");
  }
  const spec = keySpec !== undefined ? fromAws(AWS_KEY_SPECS, "KeySpec", keySpec) : undefined;
  const legacy = fromAws(AWS_KEY_SPECS, "CustomerMasterKeySpec", legacySpec);
  const usage = fromAws(AWS_KEY_USAGES, "KeyUsage", m.string("KeyUsage"));
  const chosen = spec ?? legacy;
  // Only symmetric keys have a default usage in AWS KMS; HMAC and asymmetric specs need one.
  if (chosen !== undefined && usage === undefined && specRow(chosen).family !== "AES") {
    throw new KmsError("InvalidArgument", `KeyUsage is required for key spec ${awsKeySpec(chosen)}.`);
  }
  const origin = m.string("Origin");
  if (origin === "AWS_CLOUDHSM" || origin === "EXTERNAL_KEY_STORE") {
    throw new KmsError("UnsupportedOperation", `Origin ${origin} is not supported: custom key stores are not.`);
  }
  const keyOrigin = fromAws(AWS_ORIGINS, "Origin", origin);
  if (m.boolean("MultiRegion") === true) {
    throw new KmsError("UnsupportedOperation", "Multi-Region keys are not supported.");
  }
  if (m.string("CustomKeyStoreId") !== undefined || m.string("XksKeyId") !== undefined) {
    throw new KmsError("UnsupportedOperation", "Custom key stores are not supported.");
  }
  const policy = m.string("Policy");
  m.boolean("BypassPolicyLockoutSafetyCheck");
  const description = m.string("Description");
  const tags = m.tags("Tags");
  return async ({ deps, call }) => {
    const key = await coreCreateKey(deps, call, {
      spec: chosen,
      usage,
      description,
      tags,
      policy,
      origin: keyOrigin,
    });
    return { KeyMetadata: keyMetadata(deps, key) };
  };
};
