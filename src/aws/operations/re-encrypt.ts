import { reEncrypt as coreReEncrypt } from "../../core/crypto-ops/encryption.js";
import { keyArn } from "../../core/keys/key-id.js";
import { AWS_ENCRYPTION_ALGORITHMS, fromAws } from "../enums.js";
import { RAW_ALGORITHM } from "../../core/sealing.js";
import type { Operation } from "./operation.js";

/**
 * `ReEncrypt`: opens a self-describing blob and seals its plaintext under the destination key's
 * primary version without the plaintext ever leaving the service. Core re-encrypts symmetric
 * ciphertexts only, so an asymmetric source or destination algorithm is
 * `UnsupportedOperationException` here.
 */
export const reEncrypt: Operation = (m) => {
  const ciphertextBlob = m.requiredBlob("CiphertextBlob");
  const destinationKeyId = m.requiredString("DestinationKeyId");
  const sourceKeyId = m.string("SourceKeyId");
  const source = m.stringMap("SourceEncryptionContext");
  const destination = m.stringMap("DestinationEncryptionContext");
  const grantTokens = m.stringList("GrantTokens");
  const sourceAlgorithm = fromAws(
    AWS_ENCRYPTION_ALGORITHMS,
    "SourceEncryptionAlgorithm",
    m.string("SourceEncryptionAlgorithm"),
  );
  const destinationAlgorithm = fromAws(
    AWS_ENCRYPTION_ALGORITHMS,
    "DestinationEncryptionAlgorithm",
    m.string("DestinationEncryptionAlgorithm"),
  );
  return async ({ deps, call }) => {
    const out = await coreReEncrypt(deps, call, {
      ciphertextBlob,
      sourceKeyRef: sourceKeyId || undefined,
      source: { aad: new Uint8Array(0), context: source },
      destinationKeyRef: destinationKeyId,
      destination: { aad: new Uint8Array(0), context: destination },
      grantTokens,
      sourceAlgorithm,
      destinationAlgorithm,
    });
    return {
      CiphertextBlob: out.destination.ciphertextBlob.toString("base64"),
      SourceKeyId: keyArn(deps, out.source.keyId),
      KeyId: keyArn(deps, out.destination.keyId),
      SourceEncryptionAlgorithm: sourceAlgorithm ?? "SYMMETRIC_DEFAULT",
      DestinationEncryptionAlgorithm:
        out.destination.algorithm === RAW_ALGORITHM ? "SYMMETRIC_DEFAULT" : out.destination.algorithm,
      SourceKeyMaterialId: out.source.versionId,
      DestinationKeyMaterialId: out.destination.versionId,
    };
  };
};
