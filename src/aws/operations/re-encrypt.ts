import { KmsError } from "../../domain/errors.js";
import { reEncrypt as coreReEncrypt } from "../../core/crypto-ops/encryption.js";
import { keyArn } from "../../core/keys/key-id.js";
import { AWS_ENCRYPTION_ALGORITHMS, fromAws } from "../enums.js";
import { refuseUnsupported } from "../json.js";
import type { Operation } from "./operation.js";

/**
 * `ReEncrypt`: opens a self-describing blob and seals its plaintext under the destination key's
 * primary version without the plaintext ever leaving the service. Core re-encrypts symmetric
 * ciphertexts only, so an asymmetric source or destination algorithm is
 * `UnsupportedOperationException` here.
 */
export const reEncrypt: Operation = (m) => {
  refuseUnsupported(m, ["DryRun"]);
  const ciphertextBlob = m.requiredBlob("CiphertextBlob");
  const destinationKeyId = m.requiredString("DestinationKeyId");
  const sourceKeyId = m.string("SourceKeyId");
  const source = m.stringMap("SourceEncryptionContext");
  const destination = m.stringMap("DestinationEncryptionContext");
  const grantTokens = m.stringList("GrantTokens");
  for (const member of ["SourceEncryptionAlgorithm", "DestinationEncryptionAlgorithm"]) {
    const alg = fromAws(AWS_ENCRYPTION_ALGORITHMS, member, m.string(member));
    if (alg !== undefined && alg !== "SYMMETRIC_DEFAULT") {
      throw new KmsError("UnsupportedOperation", `${member} ${alg} is not supported by ReEncrypt here.`);
    }
  }
  return async ({ deps, call }) => {
    const out = await coreReEncrypt(deps, call, {
      ciphertextBlob,
      sourceKeyRef: sourceKeyId || undefined,
      source: { aad: new Uint8Array(0), context: source },
      destinationKeyRef: destinationKeyId,
      destination: { aad: new Uint8Array(0), context: destination },
      grantTokens,
    });
    return {
      CiphertextBlob: out.destination.ciphertextBlob.toString("base64"),
      SourceKeyId: keyArn(deps, out.source.keyId),
      KeyId: keyArn(deps, out.destination.keyId),
      SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
    };
  };
};
