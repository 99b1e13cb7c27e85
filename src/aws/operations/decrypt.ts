import { decrypt as coreDecrypt } from "../../core/crypto-ops/encryption.js";
import { keyArn } from "../../core/keys/key-id.js";
import { AWS_ENCRYPTION_ALGORITHMS, fromAws } from "../enums.js";
import { refuseUnsupported } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `Decrypt`: core's `decrypt` without an `iv`, i.e. a self-describing blob (from AWS `Encrypt`,
 * `GenerateDataKey*`, `GenerateDataKeyPair*` or Connect `AdvanceEncrypt`/`GenerateDataKey`), or an
 * RSA-OAEP ciphertext when `KeyId` names an RSA key. `KeyId` is optional for blobs; a named key
 * that is not the blob's is `IncorrectKeyException`. Every failure to open is the one
 * `InvalidCiphertextException` that says nothing about why.
 */
export const decrypt: Operation = (m) => {
  refuseUnsupported(m, ["Recipient"]);
  const ciphertextBlob = m.requiredBlob("CiphertextBlob");
  const keyId = m.string("KeyId");
  const context = m.stringMap("EncryptionContext");
  const grantTokens = m.stringList("GrantTokens");
  const algorithm = fromAws(AWS_ENCRYPTION_ALGORITHMS, "EncryptionAlgorithm", m.string("EncryptionAlgorithm"));
  return async ({ deps, call }) => {
    const out = await coreDecrypt(deps, call, {
      ciphertextBlob,
      keyRef: keyId || undefined,
      aad: new Uint8Array(0),
      context,
      grantTokens,
      encryptionAlgorithm: algorithm ?? "SYMMETRIC_DEFAULT",
    });
    try {
      return {
        KeyId: keyArn(deps, out.keyId),
        Plaintext: out.plaintext.toString("base64"),
        EncryptionAlgorithm: algorithm ?? "SYMMETRIC_DEFAULT",
        KeyMaterialId: out.versionId,
      };
    } finally {
      out.plaintext.fill(0);
    }
  };
};
