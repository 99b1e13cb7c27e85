import { advanceEncrypt } from "../../core/crypto-ops/encryption.js";
import { keyArn } from "../../core/keys/key-id.js";
import { AWS_ENCRYPTION_ALGORITHMS, fromAws } from "../enums.js";
import type { Operation } from "./operation.js";

/**
 * `Encrypt` is core's `advanceEncrypt`: the key's primary version and a self-describing blob that
 * `Decrypt` opens with no `KeyId` — what AWS clients assume (the seed's raw, initial-version form
 * needs an `iv` that AWS's API has no member for). `EncryptionAlgorithm` defaults to
 * `SYMMETRIC_DEFAULT` as in AWS, so an RSA key needs an explicit `RSAES_OAEP_*`. The reply's
 * `KeyId` is the key ARN, which the AWS Encryption SDK compares.
 */
export const encrypt: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const plaintext = m.requiredBlob("Plaintext");
  const context = m.stringMap("EncryptionContext");
  const grantTokens = m.stringList("GrantTokens");
  const algorithm = fromAws(AWS_ENCRYPTION_ALGORITHMS, "EncryptionAlgorithm", m.string("EncryptionAlgorithm"));
  return async ({ deps, call }) => {
    try {
      const out = await advanceEncrypt(deps, call, {
        keyRef: keyId,
        plaintext,
        aad: new Uint8Array(0),
        context,
        grantTokens,
        algorithm: algorithm ?? "SYMMETRIC_DEFAULT",
      });
      return {
        CiphertextBlob: out.ciphertextBlob.toString("base64"),
        KeyId: keyArn(deps, out.keyId),
        EncryptionAlgorithm: algorithm ?? "SYMMETRIC_DEFAULT",
      };
    } finally {
      plaintext.fill(0);
    }
  };
};
