import { keyArn } from "../../core/keys/key-id.js";
import { generateMacFor } from "../../core/crypto-ops/macs.js";
import { macMembers } from "./mac-members.js";
import type { Operation } from "./operation.js";

/** `GenerateMac`: HMAC-SHA-256 under a GENERATE_VERIFY_MAC key. */
export const generateMac: Operation = (m) => {
  const { keyId, message, algorithm, grantTokens } = macMembers(m);
  return async ({ deps, call }) => {
    const out = await generateMacFor(deps, call, keyId, message, grantTokens);
    return { Mac: out.mac.toString("base64"), MacAlgorithm: algorithm, KeyId: keyArn(deps, out.keyId) };
  };
};
