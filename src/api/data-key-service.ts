import { generateDataKey, generateDataKeyPair, type PairMode } from "../core/data-keys/data-keys.js";
import type { CoreDeps } from "../core/deps.js";
import type * as pb from "../../gen/kms/v1/data_key_service_pb.js";
import { batchOf } from "./batch.js";
import type { CallImpl } from "./wrap-service.js";
import { fromPairSpec, toDataKeySpec, toKeyFormat, toPairSpec } from "./convert.js";
import type { Call } from "../edge/pipeline.js";

/** The four pair requests have the same fields. */
type PairRequest = Omit<pb.GenerateDataKeyPairRequest, "$typeName" | "$unknown">;
type DataKeyRequest = pb.GenerateDataKeyRequest | pb.GenerateDataKeyWithoutPlaintextRequest;

/**
 * `kms.v1.DataKeyService`: maps the seeds' six operations onto `core/data-keys`. The four pair
 * operations differ only in `PairMode` (initial/raw vs primary/blob, with or without plaintext).
 */
export function createDataKeyService(deps: CoreDeps): CallImpl<typeof pb.DataKeyService> {
  const dataKey = async (req: DataKeyRequest, call: Call, withPlaintext: boolean) => {
    const out = await generateDataKey(
      deps,
      call,
      {
        keyRef: req.keyId,
        keySpec: toDataKeySpec(req.keySpec),
        numberOfBytes: req.numberOfBytes,
        aad: req.aad,
        context: req.encryptionContext,
        grantTokens: req.grantTokens,
      },
      withPlaintext,
    );
    return {
      keyId: out.keyId,
      keyVersionId: out.versionId,
      plaintext: out.plaintext,
      ciphertextBlob: out.ciphertextBlob,
    };
  };
  const pair = async (req: PairRequest, mode: PairMode, call: Call) => {
    const out = await generateDataKeyPair(
      deps,
      call,
      {
        keyRef: req.keyId,
        pairSpec: toPairSpec(req.keyPairSpec),
        format: toKeyFormat(req.keyFormat),
        aad: req.aad,
        context: req.encryptionContext,
        grantTokens: req.grantTokens,
      },
      mode,
    );
    return {
      keyId: out.keyId,
      keyVersionId: out.versionId,
      keyPairSpec: fromPairSpec(out.pairSpec),
      publicKey: out.publicKey,
      privateKeyPlaintext: out.privateKeyPlaintext,
      privateKeyCiphertextBlob: out.privateKeyCiphertextBlob,
      iv: out.iv,
      algorithm: out.algorithm,
      requestId: out.requestId,
    };
  };
  return {
    generateDataKey: (req: pb.GenerateDataKeyRequest, call: Call) => dataKey(req, call, true),
    generateDataKeyWithoutPlaintext: (req: pb.GenerateDataKeyWithoutPlaintextRequest, call: Call) =>
      dataKey(req, call, false),
    generateDataKeyPair: (req: PairRequest, call: Call) => pair(req, { advance: false, withPlaintext: true }, call),
    generateDataKeyPairWithoutPlaintext: (req: PairRequest, call: Call) =>
      pair(req, { advance: false, withPlaintext: false }, call),
    advanceGenerateDataKeyPair: (req: PairRequest, call: Call) =>
      pair(req, { advance: true, withPlaintext: true }, call),
    advanceGenerateDataKeyPairWithoutPlaintext: (req: PairRequest, call: Call) =>
      pair(req, { advance: true, withPlaintext: false }, call),
    batchGenerateDataKey: batchOf((req: pb.GenerateDataKeyRequest, call: Call) => dataKey(req, call, true)),
  };
}
