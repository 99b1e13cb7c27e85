import type { CoreDeps } from "../core/deps.js";
import {
  advanceDecrypt,
  advanceEncrypt,
  decrypt,
  type EncryptInput,
  type EncryptOutput,
  encrypt,
  reEncrypt,
} from "../core/crypto-ops/encryption.js";
import { deriveSharedSecret } from "../core/crypto-ops/key-agreement.js";
import { generateMacFor, verifyMacFor } from "../core/crypto-ops/macs.js";
import { generateRandom } from "../core/crypto-ops/random.js";
import { getPublicKey, sign, verify } from "../core/crypto-ops/signing.js";
import { decapsulate, encapsulate } from "../core/crypto-ops/encapsulation.js";
import type * as pb from "../../gen/kms/v1/crypto_service_pb.js";
import { batchOf } from "./batch.js";
import type { CallImpl } from "./wrap-service.js";
import {
  fromEncapsulationAlgorithm,
  fromEncryptionAlgorithm,
  fromKeyAgreementAlgorithm,
  fromKeyOrigin,
  fromKeySpec,
  fromKeyUsage,
  fromMacAlgorithm,
  fromSigningAlgorithm,
  toEncapsulationAlgorithm,
  toEncryptionAlgorithm,
  toKeyAgreementAlgorithm,
  toMacAlgorithm,
  toMessageType,
  toSigningAlgorithm,
} from "./convert.js";
import type { Call } from "../edge/pipeline.js";
import type { EncryptionAlgorithm } from "../domain/types.js";

/** The reply of Encrypt and AdvanceEncrypt. */
function sealedReply(out: EncryptOutput) {
  return {
    keyId: out.keyId,
    keyVersionId: out.versionId,
    ciphertextBlob: out.ciphertextBlob,
    iv: out.iv,
    algorithm: out.algorithm,
  };
}

/** The core input of Encrypt and AdvanceEncrypt. */
function encryptInput(
  req: Omit<pb.AdvanceEncryptRequest, "$typeName" | "$unknown">,
  algorithm: EncryptionAlgorithm | undefined,
): EncryptInput {
  return {
    keyRef: req.keyId,
    plaintext: req.plaintext,
    aad: req.aad,
    context: req.encryptionContext,
    grantTokens: req.grantTokens,
    algorithm,
  };
}

/**
 * `kms.v1.CryptoService`: a thin mapper onto `core/encryption`, `core/signing`, `core/macs`,
 * `core/key-agreement` and `core/encapsulation`.
 * The batch RPCs run the single RPCs' mappers once per item (`batch.ts`).
 */
export function createCryptoService(deps: CoreDeps): CallImpl<typeof pb.CryptoService> {
  const single = singleCalls(deps);
  const advanceEncryptItem = async (req: pb.EncryptRequest, call: Call) =>
    sealedReply(await advanceEncrypt(deps, call, encryptInput(req, toEncryptionAlgorithm(req.encryptionAlgorithm))));
  const encryptItems = batchOf(single.encrypt);
  const advanceEncryptItems = batchOf(advanceEncryptItem);
  return {
    ...single,
    batchEncrypt: (req: pb.BatchEncryptRequest, call: Call) =>
      req.advance ? advanceEncryptItems(req, call) : encryptItems(req, call),
    batchDecrypt: batchOf(single.decrypt),
    batchReEncrypt: batchOf(single.reEncrypt),
  };
}

function singleCalls(deps: CoreDeps) {
  return {
    async encrypt(req: pb.EncryptRequest, call: Call) {
      const out = await encrypt(deps, call, encryptInput(req, toEncryptionAlgorithm(req.encryptionAlgorithm)));
      return sealedReply(out);
    },
    async decrypt(req: pb.DecryptRequest, call: Call) {
      const out = await decrypt(deps, call, {
        ciphertextBlob: req.ciphertextBlob,
        keyRef: req.keyId || undefined,
        iv: req.iv,
        algorithm: req.algorithm || undefined,
        aad: req.aad,
        context: req.encryptionContext,
        grantTokens: req.grantTokens,
        encryptionAlgorithm: toEncryptionAlgorithm(req.encryptionAlgorithm),
      });
      return { keyId: out.keyId, keyVersionId: out.versionId, plaintext: out.plaintext };
    },
    async advanceEncrypt(req: pb.AdvanceEncryptRequest, call: Call) {
      return sealedReply(await advanceEncrypt(deps, call, encryptInput(req, "SYMMETRIC_DEFAULT")));
    },
    async advanceDecrypt(req: pb.AdvanceDecryptRequest, call: Call) {
      const out = await advanceDecrypt(deps, call, {
        ciphertextBlob: req.ciphertextBlob,
        aad: req.aad,
        context: req.encryptionContext,
        grantTokens: req.grantTokens,
      });
      return { keyId: out.keyId, keyVersionId: out.versionId, plaintext: out.plaintext };
    },
    async reEncrypt(req: pb.ReEncryptRequest, call: Call) {
      const out = await reEncrypt(deps, call, {
        ciphertextBlob: req.ciphertextBlob,
        source: { aad: req.sourceAad, context: req.sourceEncryptionContext },
        destinationKeyRef: req.destinationKeyId,
        destination: { aad: req.destinationAad, context: req.destinationEncryptionContext },
        grantTokens: req.grantTokens,
      });
      return {
        sourceKeyId: out.source.keyId,
        sourceKeyVersionId: out.source.versionId,
        keyId: out.destination.keyId,
        keyVersionId: out.destination.versionId,
        ciphertextBlob: out.destination.ciphertextBlob,
      };
    },
    async generateRandom(req: pb.GenerateRandomRequest) {
      return { plaintext: generateRandom(deps, req.numberOfBytes) };
    },
    async sign(req: pb.SignRequest, call: Call) {
      const out = await sign(deps, call, {
        keyRef: req.keyId,
        message: req.message,
        messageType: toMessageType(req.messageType),
        algorithm: toSigningAlgorithm(req.signingAlgorithm),
        grantTokens: req.grantTokens,
      });
      return {
        keyId: out.keyId,
        keyVersionId: out.versionId,
        signature: out.signature,
        signingAlgorithm: fromSigningAlgorithm(out.algorithm),
      };
    },
    async verify(req: pb.VerifyRequest, call: Call) {
      const out = await verify(deps, call, {
        keyRef: req.keyId,
        message: req.message,
        messageType: toMessageType(req.messageType),
        algorithm: toSigningAlgorithm(req.signingAlgorithm),
        signature: req.signature,
        grantTokens: req.grantTokens,
      });
      return { keyId: out.keyId, signatureValid: out.valid, signingAlgorithm: fromSigningAlgorithm(out.algorithm) };
    },
    async getPublicKey(req: pb.GetPublicKeyRequest, call: Call) {
      const out = await getPublicKey(deps, call, req.keyId, req.grantTokens);
      return {
        keyId: out.keyId,
        keyVersionId: out.versionId,
        publicKey: out.publicKey,
        keySpec: fromKeySpec(out.spec),
        keyUsage: fromKeyUsage(out.usage),
        signingAlgorithms: out.signingAlgorithms.map(fromSigningAlgorithm),
        encryptionAlgorithms: out.encryptionAlgorithms.map(fromEncryptionAlgorithm),
        keyAgreementAlgorithms: out.agreementAlgorithms.map(fromKeyAgreementAlgorithm),
        encapsulationAlgorithms: out.encapsulationAlgorithms.map(fromEncapsulationAlgorithm),
      };
    },
    async generateMac(req: pb.GenerateMacRequest, call: Call) {
      const out = await generateMacFor(deps, call, {
        keyRef: req.keyId,
        message: req.message,
        algorithm: toMacAlgorithm(req.macAlgorithm),
        grantTokens: req.grantTokens,
      });
      return {
        keyId: out.keyId,
        keyVersionId: out.versionId,
        mac: out.mac,
        macAlgorithm: fromMacAlgorithm(out.algorithm),
      };
    },
    async verifyMac(req: pb.VerifyMacRequest, call: Call) {
      const out = await verifyMacFor(deps, call, {
        keyRef: req.keyId,
        message: req.message,
        mac: req.mac,
        algorithm: toMacAlgorithm(req.macAlgorithm),
        grantTokens: req.grantTokens,
      });
      return { keyId: out.keyId, macValid: out.valid, macAlgorithm: fromMacAlgorithm(out.algorithm) };
    },
    async deriveSharedSecret(req: pb.DeriveSharedSecretRequest, call: Call) {
      const out = await deriveSharedSecret(deps, call, {
        keyRef: req.keyId,
        algorithm: toKeyAgreementAlgorithm(req.keyAgreementAlgorithm),
        publicKey: req.publicKey,
        grantTokens: req.grantTokens,
      });
      return {
        keyId: out.keyId,
        keyVersionId: out.versionId,
        sharedSecret: out.sharedSecret,
        keyAgreementAlgorithm: fromKeyAgreementAlgorithm(out.algorithm),
        keyOrigin: fromKeyOrigin(out.origin),
      };
    },
    async encapsulate(req: pb.EncapsulateRequest, call: Call) {
      const out = await encapsulate(deps, call, {
        keyRef: req.keyId,
        algorithm: toEncapsulationAlgorithm(req.encapsulationAlgorithm),
        grantTokens: req.grantTokens,
      });
      return {
        keyId: out.keyId,
        keyVersionId: out.versionId,
        sharedSecret: out.sharedSecret,
        sharedSecretCiphertext: out.ciphertext,
        encapsulationAlgorithm: fromEncapsulationAlgorithm(out.algorithm),
      };
    },
    async decapsulate(req: pb.DecapsulateRequest, call: Call) {
      const out = await decapsulate(deps, call, {
        keyRef: req.keyId,
        ciphertext: req.sharedSecretCiphertext,
        algorithm: toEncapsulationAlgorithm(req.encapsulationAlgorithm),
        grantTokens: req.grantTokens,
      });
      return {
        keyId: out.keyId,
        keyVersionId: out.versionId,
        sharedSecret: out.sharedSecret,
        encapsulationAlgorithm: fromEncapsulationAlgorithm(out.algorithm),
      };
    },
  };
}
