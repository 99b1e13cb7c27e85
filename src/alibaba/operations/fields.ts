import { RAW_ALGORITHM } from "../../core/encryption.js";
import type { EncryptionAlgorithm, KeyFormat, KeyPairSpec, MessageType, SigningAlgorithm } from "../../core/types.js";
import { invalidField } from "../../core/validate.js";
import { missingParameter } from "../errors.js";

/**
 * Request fields as the KMS-instance API names and spells them, mapped onto core's vocabulary.
 * proto3 cannot tell an absent field from an empty one, so a required field that is empty is
 * `MissingParameter`; a value outside its set is `InvalidParam` (core's `InvalidArgument`).
 */

export function required<T extends string | Uint8Array>(name: string, value: T): T {
  if (value.length === 0) throw missingParameter(name);
  return value;
}

const ENCRYPTION_ALGORITHMS: Readonly<Record<string, EncryptionAlgorithm>> = {
  [RAW_ALGORITHM]: "SYMMETRIC_DEFAULT",
  RSAES_OAEP_SHA_1: "RSAES_OAEP_SHA_1",
  RSAES_OAEP_SHA_256: "RSAES_OAEP_SHA_256",
};

/** `Algorithm` of Encrypt/Decrypt: AES_GCM for AES keys, RSAES_OAEP_SHA_1/256 for RSA keys; empty = the key's default. */
export function encryptionAlgorithm(value: string): EncryptionAlgorithm | undefined {
  if (value === "") return undefined;
  if (!Object.hasOwn(ENCRYPTION_ALGORITHMS, value)) {
    throw invalidField(
      "Algorithm",
      `satisfy enum value set: [${Object.keys(ENCRYPTION_ALGORITHMS).join(", ")}]`,
      value,
    );
  }
  return ENCRYPTION_ALGORITHMS[value];
}

/** `Algorithm` where only the symmetric AES_GCM applies (data keys, pairs); empty means AES_GCM. */
export function requireAesGcm(value: string): void {
  if (value !== "" && value !== RAW_ALGORITHM) {
    throw invalidField("Algorithm", `satisfy enum value set: [${RAW_ALGORITHM}]`, value);
  }
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

const PAIR_SPECS: readonly KeyPairSpec[] = ["RSA_2048", "RSA_3072", "RSA_4096", "EC_P256", "EC_P256K"];

export function keyPairSpec(value: string): KeyPairSpec {
  required("KeyPairSpec", value);
  if (!(PAIR_SPECS as readonly string[]).includes(value)) {
    throw invalidField("KeyPairSpec", `satisfy enum value set: [${PAIR_SPECS.join(", ")}]`, value);
  }
  return value as KeyPairSpec;
}

/** `KeyFormat`: PEM or DER, required (as the API documents it). */
export function keyFormat(value: string): KeyFormat {
  required("KeyFormat", value);
  if (value === "PEM") return "PEM";
  if (value === "DER") return "DER";
  throw invalidField("KeyFormat", "satisfy enum value set: [PEM, DER]", value);
}

/** The KMS-instance signing algorithm names and core's (AWS) names for the same schemes. */
const SIGNING_ALGORITHMS: Readonly<Record<string, SigningAlgorithm>> = {
  RSA_PSS_SHA_256: "RSASSA_PSS_SHA_256",
  RSA_PKCS1_SHA_256: "RSASSA_PKCS1_V1_5_SHA_256",
  ECDSA_SHA_256: "ECDSA_SHA_256",
};

export function signingAlgorithm(value: string): SigningAlgorithm {
  required("Algorithm", value);
  if (!Object.hasOwn(SIGNING_ALGORITHMS, value)) {
    throw invalidField("Algorithm", `satisfy enum value set: [${Object.keys(SIGNING_ALGORITHMS).join(", ")}]`, value);
  }
  return SIGNING_ALGORITHMS[value]!;
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
    if (req.MessageType !== "" && req.MessageType !== "DIGEST")
      throw invalidField("MessageType", "be DIGEST with Digest");
    return { message: req.Digest, messageType: "DIGEST" };
  }
  const messageType = req.MessageType === "" ? "RAW" : req.MessageType;
  if (messageType !== "RAW" && messageType !== "DIGEST") {
    throw invalidField("MessageType", "satisfy enum value set: [RAW, DIGEST]", req.MessageType);
  }
  return { message: required("Message", req.Message), messageType };
}
