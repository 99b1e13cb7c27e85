import { keyArn } from "../../core/keys/key-id.js";
import { generateMacFor } from "../../core/crypto-ops/macs.js";
import { MAC_ALGORITHMS } from "../../domain/algorithms.js";
import { toAws } from "../enums.js";
import { macMembers } from "./mac-members.js";
import type { Operation } from "./operation.js";

/** `GenerateMac`: an HMAC under a GENERATE_VERIFY_MAC key, with the algorithm its spec computes. */
export const generateMac: Operation = (m) => {
  const input = macMembers(m);
  return async ({ deps, call }) => {
    const out = await generateMacFor(deps, call, input);
    return {
      Mac: out.mac.toString("base64"),
      MacAlgorithm: toAws(MAC_ALGORITHMS, out.algorithm),
      KeyId: keyArn(deps, out.keyId),
    };
  };
};
