import { keyArn } from "../../core/keys/key-id.js";
import { getPublicKey as coreGetPublicKey } from "../../core/crypto-ops/signing.js";
import { KEY_AGREEMENT_ALGORITHMS } from "../../domain/algorithms.js";
import { awsKeySpec, awsLegacyKeySpec, toAws } from "../enums.js";
import type { Operation } from "./operation.js";

/** `GetPublicKey`: SPKI DER, base64; a symmetric or HMAC key is `UnsupportedOperationException`. */
export const getPublicKey: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const grantTokens = m.stringList("GrantTokens");
  return async ({ deps, call }) => {
    const out = await coreGetPublicKey(deps, call, keyId, grantTokens);
    const spec = awsKeySpec(out.spec);
    return {
      KeyId: keyArn(deps, out.keyId),
      PublicKey: out.publicKey.toString("base64"),
      ...awsLegacyKeySpec(out.spec),
      KeySpec: spec,
      KeyUsage: out.usage,
      ...(out.encryptionAlgorithms.length > 0 ? { EncryptionAlgorithms: out.encryptionAlgorithms } : {}),
      ...(out.signingAlgorithms.length > 0 ? { SigningAlgorithms: out.signingAlgorithms } : {}),
      ...(out.agreementAlgorithms.length > 0
        ? { KeyAgreementAlgorithms: out.agreementAlgorithms.map((a) => toAws(KEY_AGREEMENT_ALGORITHMS, a)) }
        : {}),
      ...(out.encapsulationAlgorithms.length > 0 ? { EncapsulationAlgorithms: out.encapsulationAlgorithms } : {}),
    };
  };
};
