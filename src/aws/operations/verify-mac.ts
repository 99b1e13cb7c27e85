import { KmsError } from "../../domain/errors.js";
import { keyArn } from "../../core/keys/key-id.js";
import { verifyMacFor } from "../../core/crypto-ops/macs.js";
import { MAC_ALGORITHMS } from "../../domain/algorithms.js";
import { toAws } from "../enums.js";
import { macMembers } from "./mac-members.js";
import type { Operation } from "./operation.js";

/**
 * `VerifyMac`. As with `Verify`, AWS never answers `MacValid: false`: a MAC that does not match is
 * HTTP 400 `KMSInvalidMacException` (core's `InvalidMac`).
 */
export const verifyMac: Operation = (m) => {
  const input = { ...macMembers(m), mac: m.requiredBlob("Mac") };
  return async ({ deps, call }) => {
    const out = await verifyMacFor(deps, call, input);
    if (!out.valid) throw new KmsError("InvalidMac", "The MAC is not valid for this message and key.");
    return { KeyId: keyArn(deps, out.keyId), MacValid: true, MacAlgorithm: toAws(MAC_ALGORITHMS, out.algorithm) };
  };
};
