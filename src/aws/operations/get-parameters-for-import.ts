import { getParametersForImport as coreGetParameters } from "../../core/imports/import-parameters.js";
import { keyArn } from "../../core/keys/key-id.js";
import { AWS_WRAPPING_ALGORITHMS, AWS_WRAPPING_KEY_SPECS, fromAws } from "../enums.js";
import { epochSeconds } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `GetParametersForImport`: an RSA public key (DER SubjectPublicKeyInfo) to wrap key material with
 * and the import token to send back with it; both are valid for 24 hours and for this key only.
 */
export const getParametersForImport: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const algorithm = fromAws(AWS_WRAPPING_ALGORITHMS, "WrappingAlgorithm", m.requiredString("WrappingAlgorithm"));
  const spec = fromAws(AWS_WRAPPING_KEY_SPECS, "WrappingKeySpec", m.requiredString("WrappingKeySpec"));
  return async ({ deps, call }) => {
    const out = await coreGetParameters(deps, call, keyId, algorithm, spec);
    return {
      KeyId: keyArn(deps, out.key.id),
      ImportToken: out.importToken.toString("base64"),
      PublicKey: out.publicKey.toString("base64"),
      ParametersValidTo: epochSeconds(out.validTo),
    };
  };
};
