import { invalidField } from "../../core/validate.js";
import {
  type AlibabaName,
  ENCRYPTION_ALGORITHMS,
  type EncryptionAlgorithm,
  isName,
  KEY_FORMATS,
  type KeyFormat,
  MESSAGE_TYPES,
  type MessageType,
  namesOf,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from "../../domain/algorithms.js";
import { KEY_PAIR_SPEC_NAMES, type KeyPairSpec } from "../../domain/specs.js";
import { missingParameter } from "../errors.js";

/**
 * Request fields as the KMS-instance API names and spells them, mapped onto core's vocabulary
 * through the catalogue's `alibaba` names (`src/domain/algorithms.ts`). proto3 cannot tell an
 * absent field from an empty one, so a required field that is empty is `MissingParameter`; a
 * value outside its set is `InvalidParam` (core's `InvalidArgument`).
 */

export function required<T extends string | Uint8Array>(name: string, value: T): T {
  if (value.length === 0) throw missingParameter(name);
  return value;
}

/** The rows of a catalogue table that the KMS-instance API names, by that name. */
function byAlibabaName<K extends string>(table: Record<K, object>): ReadonlyMap<string, K> {
  return new Map(
    namesOf(table).flatMap((k) => {
      const name = (table[k] as AlibabaName).alibaba;
      return name ? [[name, k] as const] : [];
    }),
  );
}

function fromAlibaba<K extends string>(names: ReadonlyMap<string, K>, field: string, value: string): K {
  const found = names.get(value);
  if (!found) throw invalidField(field, `satisfy enum value set: [${[...names.keys()].join(", ")}]`, value);
  return found;
}

const ENCRYPTION = byAlibabaName(ENCRYPTION_ALGORITHMS);
const SIGNING = byAlibabaName(SIGNING_ALGORITHMS);

/** The symmetric algorithm's name on this wire: every AES-GCM ciphertext is `AES_GCM`. */
export const AES_GCM = ENCRYPTION_ALGORITHMS.SYMMETRIC_DEFAULT.alibaba;

/** `Algorithm` of Encrypt/Decrypt: AES_GCM for AES keys, RSAES_OAEP_SHA_1/256 for RSA keys; empty = the key's default. */
export function encryptionAlgorithm(value: string): EncryptionAlgorithm | undefined {
  return value === "" ? undefined : fromAlibaba(ENCRYPTION, "Algorithm", value);
}

/** `Algorithm` where only the symmetric AES_GCM applies (data keys, pairs); empty means AES_GCM. */
export function requireAesGcm(value: string): void {
  if (value !== "" && value !== AES_GCM) throw invalidField("Algorithm", `satisfy enum value set: [${AES_GCM}]`, value);
}

/**
 * `Iv` in a request: the service draws every IV itself (a caller-chosen GCM nonce that repeats
 * would break the key's confidentiality and integrity, NIST SP 800-38D §8), so one given with
 * Encrypt is refused rather than ignored.
 */
export function refuseCallerIv(iv: Uint8Array): void {
  if (iv.length > 0) throw invalidField("Iv", "be empty: the service chooses the IV");
}

/** `PaddingMode` matters only for CBC/ECB, which this service does not offer. */
export function checkPaddingMode(value: string): void {
  if (value !== "" && value !== "NoPadding") throw invalidField("PaddingMode", "be empty or NoPadding", value);
}

/** `KeyPairSpec`: the catalogue's pair specs, which the API spells as the catalogue does. */
export function keyPairSpec(value: string): KeyPairSpec {
  required("KeyPairSpec", value);
  if (!(KEY_PAIR_SPEC_NAMES as readonly string[]).includes(value)) {
    throw invalidField("KeyPairSpec", `satisfy enum value set: [${KEY_PAIR_SPEC_NAMES.join(", ")}]`, value);
  }
  return value as KeyPairSpec;
}

/** `KeyFormat`: PEM or DER, required (as the API documents it). */
export function keyFormat(value: string): KeyFormat {
  required("KeyFormat", value);
  if (!isName(KEY_FORMATS, value)) {
    throw invalidField("KeyFormat", `satisfy enum value set: [${namesOf(KEY_FORMATS).join(", ")}]`, value);
  }
  return value;
}

/** `Algorithm` of Sign/Verify (required): RSA_PSS_SHA_256, RSA_PKCS1_SHA_256 or ECDSA_SHA_256. */
export function signingAlgorithm(value: string): SigningAlgorithm {
  return fromAlibaba(SIGNING, "Algorithm", required("Algorithm", value));
}

/**
 * What Sign and Verify sign: `Message` with `MessageType` RAW (the default) or DIGEST, or — as
 * older SDKs send it — a SHA-256 `Digest` alone. Giving both is ambiguous and refused.
 */
export function signedInput(req: { Digest: Uint8Array; Message: Uint8Array; MessageType: string }): {
  message: Uint8Array;
  messageType: MessageType;
} {
  if (req.Digest.length > 0 && req.Message.length > 0) {
    throw invalidField("Digest", "be empty when Message is given");
  }
  if (req.Digest.length > 0) {
    if (req.MessageType !== "" && req.MessageType !== "DIGEST") {
      throw invalidField("MessageType", "be DIGEST with Digest");
    }
    return { message: req.Digest, messageType: "DIGEST" };
  }
  const messageType = req.MessageType === "" ? "RAW" : req.MessageType;
  if (!isName(MESSAGE_TYPES, messageType)) {
    throw invalidField(
      "MessageType",
      `satisfy enum value set: [${namesOf(MESSAGE_TYPES).join(", ")}]`,
      req.MessageType,
    );
  }
  return { message: required("Message", req.Message), messageType };
}
