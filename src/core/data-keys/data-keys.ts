import { encodePrivateKey, encodePublicKey } from "../../crypto/key-pairs.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError, THROTTLED_MESSAGE } from "../../domain/errors.js";
import { type Binding, checkBinding, RAW_ALGORITHM, sealUnderInitial, sealUnderPrimary } from "../sealing.js";
import type { KeyAction } from "../access/access.js";
import { keyFor } from "../access/authorized-key.js";
import { requireUsable } from "../keys/key-rules.js";
import { DATA_KEY_SPECS, type DataKeySpec } from "../../domain/algorithms.js";
import { KEY_PAIR_SPEC_NAMES, SYMMETRIC_SPECS } from "../../domain/specs.js";
import type { KeyFormat, KeyPairSpec, KeyRecord } from "../../domain/types.js";
import { checkGrantTokens, checkRange, invalidField } from "../validate.js";

export interface DataKeyInput extends Binding {
  keyRef: string;
  /** Exactly one of `keySpec` and `numberOfBytes`. */
  keySpec?: DataKeySpec | undefined;
  numberOfBytes?: number | undefined;
  grantTokens?: readonly string[];
}

export interface DataKeyOutput {
  keyId: string;
  versionId: string;
  /** Absent for the WithoutPlaintext forms. */
  plaintext?: Buffer;
  ciphertextBlob: Buffer;
  /** The GCM IV: beside the ciphertext in the raw form, inside it (and repeated here) in a blob. */
  iv: Buffer;
}

async function wrappingKey(
  deps: CoreDeps,
  call: CallContext,
  input: Binding & { keyRef: string; grantTokens?: readonly string[] | undefined },
  action: KeyAction,
): Promise<KeyRecord> {
  const key = await keyFor(deps, call, input.keyRef, action, {
    context: input.context,
    grantTokens: input.grantTokens,
  });
  requireUsable(key, "ENCRYPT_DECRYPT", SYMMETRIC_SPECS);
  return key;
}

/**
 * GenerateDataKey(WithoutPlaintext), the AWS seed: a random data key sealed under the key's
 * primary version in a self-describing blob. Without plaintext, the data key is zeroed here.
 * `form: "raw"` is the Alibaba KMS-instance `GenerateDataKey`: the key's initial version in the
 * raw form, opened by `Decrypt` with the key id, `iv` and `algorithm` (as the pair operations).
 */
export async function generateDataKey(
  deps: CoreDeps,
  call: CallContext,
  input: DataKeyInput,
  withPlaintext: boolean,
  form: "blob" | "raw" = "blob",
): Promise<DataKeyOutput> {
  const hasSpec = input.keySpec !== undefined;
  const hasBytes = input.numberOfBytes !== undefined;
  if (hasSpec === hasBytes) {
    throw new KmsError("InvalidArgument", "Specify exactly one of KeySpec and NumberOfBytes.");
  }
  const size = hasSpec ? DATA_KEY_SPECS[input.keySpec!].bytes : input.numberOfBytes!;
  checkRange("numberOfBytes", size, 1, 1024);
  checkBinding(input);
  checkGrantTokens(input.grantTokens ?? []);
  const key = await wrappingKey(
    deps,
    call,
    input,
    withPlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext",
  );
  const dataKey = deps.random(size);
  const sealed =
    form === "raw"
      ? await sealUnderInitial(deps, key, dataKey, input)
      : await sealUnderPrimary(deps, key, dataKey, input);
  if (!withPlaintext) dataKey.fill(0);
  return {
    keyId: key.id,
    versionId: sealed.versionId,
    ciphertextBlob: sealed.ciphertextBlob,
    iv: sealed.iv,
    ...(withPlaintext ? { plaintext: dataKey } : {}),
  };
}

export interface DataKeyPairInput extends Binding {
  keyRef: string;
  pairSpec: KeyPairSpec | undefined;
  format: KeyFormat;
  grantTokens?: readonly string[];
}

export interface DataKeyPairOutput {
  keyId: string;
  versionId: string;
  pairSpec: KeyPairSpec;
  publicKey: Buffer;
  privateKeyPlaintext?: Buffer;
  privateKeyCiphertextBlob: Buffer;
  iv: Buffer;
  algorithm: string;
  requestId: string;
}

/** Which of the four pair operations: `advance` picks the primary version and a blob. */
export interface PairMode {
  advance: boolean;
  withPlaintext: boolean;
}

/**
 * The Alibaba seed's four pair operations. The per-instance gate is taken without waiting: when
 * no permit is free the call is refused at once with `Throttled` (the seed's HTTP 429
 * `Rejected.Throttling`), never queued. The pair comes from the ready-pair pool when one is
 * configured (a hit holds the permit for milliseconds), else it is generated in the worker pool;
 * the call's abort signal drops the job if it has not started, and the permit is always released.
 *
 * The private key is sealed in the requested format, so decrypting gives back exactly the bytes
 * of `privateKeyPlaintext`. Non-advance: the key's initial version, raw form with `iv` beside it.
 * Advance: the primary version, a self-describing blob that survives rotations.
 */
export async function generateDataKeyPair(
  deps: CoreDeps,
  call: CallContext,
  input: DataKeyPairInput,
  mode: PairMode,
): Promise<DataKeyPairOutput> {
  if (!input.pairSpec) {
    throw invalidField("keyPairSpec", `satisfy enum value set: [${KEY_PAIR_SPEC_NAMES.join(", ")}]`);
  }
  const pairSpec = input.pairSpec;
  checkBinding(input);
  checkGrantTokens(input.grantTokens ?? []);

  // The permit comes first, so a refusal costs no database read (the seed answers 429 at once).
  const release = await deps.pairGate.tryAcquire();
  if (!release) throw new KmsError("Throttled", THROTTLED_MESSAGE);
  let key: KeyRecord;
  let pair: { publicKeyDer: Buffer; privateKeyDer: Buffer };
  try {
    key = await wrappingKey(
      deps,
      call,
      input,
      mode.withPlaintext ? "GenerateDataKeyPair" : "GenerateDataKeyPairWithoutPlaintext",
    );
    pair = deps.pairSource
      ? await deps.pairSource.take(pairSpec, call.signal)
      : await deps.keyPairs.generate(pairSpec, call.signal);
  } finally {
    release();
  }

  const publicKey = encodePublicKey(pair.publicKeyDer, input.format);
  const privateKey = encodePrivateKey(pair.privateKeyDer, input.format);
  pair.privateKeyDer.fill(0);
  try {
    const sealed = mode.advance
      ? await sealUnderPrimary(deps, key, privateKey, input)
      : await sealUnderInitial(deps, key, privateKey, input);
    return {
      keyId: key.id,
      versionId: sealed.versionId,
      pairSpec,
      publicKey,
      ...(mode.withPlaintext ? { privateKeyPlaintext: Buffer.from(privateKey) } : {}),
      privateKeyCiphertextBlob: sealed.ciphertextBlob,
      iv: sealed.iv,
      algorithm: RAW_ALGORITHM,
      requestId: call.requestId,
    };
  } finally {
    privateKey.fill(0);
  }
}
