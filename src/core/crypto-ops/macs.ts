import { generateMac, verifyMac } from "../../crypto/mac.js";
import type { CallContext, CoreDeps } from "../deps.js";
import type { KeyAction } from "../access/access.js";
import { keyFor } from "../access/authorized-key.js";
import { requireUsable } from "../keys/key-rules.js";
import { KmsError } from "../../domain/errors.js";
import type { KeyRecord, MacAlgorithm } from "../../domain/types.js";
import { MAC_SPECS, specRow } from "../../domain/specs.js";
import { checkGrantTokens, checkLength } from "../validate.js";
import { versionMaterial } from "../keys/versions.js";

/** What GenerateMac and VerifyMac share; an absent algorithm means the key's own. */
export interface MacInput {
  keyRef: string;
  message: Uint8Array;
  algorithm?: MacAlgorithm | undefined;
  grantTokens?: readonly string[] | undefined;
}

/**
 * The key and the algorithm of a MAC call. Each HMAC spec computes one algorithm (its row's
 * `mac`): another one is `InvalidKeyUsage`, as AWS answers for an algorithm that does not fit
 * the key spec.
 */
async function macKey(
  deps: CoreDeps,
  call: CallContext,
  action: KeyAction,
  input: MacInput,
): Promise<{ key: KeyRecord; algorithm: MacAlgorithm }> {
  checkGrantTokens(input.grantTokens ?? []);
  checkLength("message", input.message, 1, 4096);
  const key: KeyRecord = await keyFor(deps, call, input.keyRef, action, { grantTokens: input.grantTokens });
  requireUsable(key, "GENERATE_VERIFY_MAC", MAC_SPECS);
  const valid = specRow(key.spec).mac;
  const algorithm = input.algorithm ?? valid[0]!;
  if (!valid.includes(algorithm)) {
    throw new KmsError(
      "InvalidKeyUsage",
      `MAC algorithm ${algorithm} is not valid for key spec ${key.spec}; valid algorithms: ${valid.join(", ")}.`,
    );
  }
  return { key, algorithm };
}

/** An HMAC under a GENERATE_VERIFY_MAC key's primary version. */
export async function generateMacFor(
  deps: CoreDeps,
  call: CallContext,
  input: MacInput,
): Promise<{ keyId: string; versionId: string; mac: Buffer; algorithm: MacAlgorithm }> {
  const { key, algorithm } = await macKey(deps, call, "GenerateMac", input);
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  const mac = generateMac(algorithm, material.secret, Buffer.from(input.message));
  return { keyId: key.id, versionId: key.primaryVersionId, mac, algorithm };
}

/** Checks a MAC in constant time. */
export async function verifyMacFor(
  deps: CoreDeps,
  call: CallContext,
  input: MacInput & { mac: Uint8Array },
): Promise<{ keyId: string; valid: boolean; algorithm: MacAlgorithm }> {
  const { key, algorithm } = await macKey(deps, call, "VerifyMac", input);
  checkLength("mac", input.mac, 1, 64);
  const material = await versionMaterial(deps, key, key.primaryVersionId);
  const valid = verifyMac(algorithm, material.secret, Buffer.from(input.message), Buffer.from(input.mac));
  return { keyId: key.id, valid, algorithm };
}
