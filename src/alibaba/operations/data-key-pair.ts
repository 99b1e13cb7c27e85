import { generateDataKeyPair, type PairMode } from "../../core/data-keys/data-keys.js";
import {
  AdvanceGenerateDataKeyPairRequestSchema,
  AdvanceGenerateDataKeyPairResponseSchema,
  AdvanceGenerateDataKeyPairWithoutPlaintextRequestSchema,
  AdvanceGenerateDataKeyPairWithoutPlaintextResponseSchema,
  GenerateDataKeyPairRequestSchema,
  GenerateDataKeyPairResponseSchema,
  GenerateDataKeyPairWithoutPlaintextRequestSchema,
  GenerateDataKeyPairWithoutPlaintextResponseSchema,
} from "../../../gen/dkms_gcs/api_pb.js";
import { keyFormat, keyPairSpec, requireAesGcm, required } from "./fields.js";
import type { OperationContext } from "./operation.js";
import { operation } from "./operation.js";

interface PairFields {
  KeyId: string;
  KeyPairSpec: string;
  KeyFormat: string;
  Aad: Uint8Array;
  /** Only the non-advance requests have it. */
  Algorithm?: string;
}

/**
 * The body shared by the four pair operations, which differ only in {@link PairMode}: the
 * non-advance ones seal the private key under the key's initial version in the raw form (`Iv`,
 * `Algorithm` beside it; `Decrypt` opens it), the advance ones under the primary version in a
 * ciphertext `AdvanceDecrypt` opens alone. The per-instance gate applies: when it is full the call
 * is refused at once with 429 `Rejected.Throttling` "Concurrency Limit Exceeded.", which the SDKs retry.
 * Each response message takes the fields it has (`create` ignores the rest).
 */
function pair(mode: PairMode) {
  return async (req: PairFields, { deps, call }: OperationContext) => {
    if (req.Algorithm !== undefined) requireAesGcm(req.Algorithm);
    const out = await generateDataKeyPair(
      deps,
      call,
      {
        keyRef: required("KeyId", req.KeyId),
        pairSpec: keyPairSpec(req.KeyPairSpec),
        format: keyFormat(req.KeyFormat),
        aad: req.Aad,
        context: {},
      },
      mode,
    );
    return {
      KeyId: out.keyId,
      Iv: out.iv,
      KeyPairSpec: out.pairSpec,
      PrivateKeyPlaintext: out.privateKeyPlaintext,
      PrivateKeyCiphertextBlob: out.privateKeyCiphertextBlob,
      PublicKey: out.publicKey,
      Algorithm: out.algorithm,
      KeyVersionId: out.versionId,
      RequestId: out.requestId,
    };
  };
}

export const generateDataKeyPairOp = operation(
  GenerateDataKeyPairRequestSchema,
  GenerateDataKeyPairResponseSchema,
  pair({ advance: false, withPlaintext: true }),
);

export const generateDataKeyPairWithoutPlaintext = operation(
  GenerateDataKeyPairWithoutPlaintextRequestSchema,
  GenerateDataKeyPairWithoutPlaintextResponseSchema,
  pair({ advance: false, withPlaintext: false }),
);

export const advanceGenerateDataKeyPair = operation(
  AdvanceGenerateDataKeyPairRequestSchema,
  AdvanceGenerateDataKeyPairResponseSchema,
  pair({ advance: true, withPlaintext: true }),
);

export const advanceGenerateDataKeyPairWithoutPlaintext = operation(
  AdvanceGenerateDataKeyPairWithoutPlaintextRequestSchema,
  AdvanceGenerateDataKeyPairWithoutPlaintextResponseSchema,
  pair({ advance: true, withPlaintext: false }),
);
