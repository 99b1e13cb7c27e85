import {
  constants,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import { KmsError } from "../domain/errors.js";
import { type MessageType, SIGNING_ALGORITHMS, type SigningAlgorithm } from "../domain/algorithms.js";
import { type KeySpec, specRow } from "../domain/specs.js";
import { requireMlDsaMu, signMu, verifyMu } from "./ml-dsa-mu.js";
import { signPrehashed, verifyPrehashed } from "./openssl-prehash.js";
import { signRsaPkcs1Digest, verifyRsaPkcs1Digest } from "./rsa-digest.js";

/** Largest RAW message Sign/Verify accept (AWS KMS's limit; larger messages are sent as DIGEST). */
export const MAX_RAW_MESSAGE_BYTES = 4096;

type Scheme = (typeof SIGNING_ALGORITHMS)[SigningAlgorithm];
/** A scheme that hashes with a named digest (RSASSA, ECDSA), as opposed to ML-DSA. */
type ClassicalScheme = Exclude<Scheme, { padding: "ML_DSA" }>;

/**
 * The signing algorithms a key spec supports, as AWS KMS lists them (the spec's row in
 * `src/domain/specs.ts`): all six RSASSA schemes for RSA keys, the curve's ECDSA for EC keys,
 * Ed25519 and Ed25519ph for Ed25519 keys, none for symmetric and HMAC keys.
 */
export function signingAlgorithmsFor(spec: KeySpec): SigningAlgorithm[] {
  return [...specRow(spec).signing];
}

/**
 * The algorithm used when a request names none (the Alibaba dialect has no such field): PSS with
 * SHA-256 for RSA (RFC 8017 §8 recommends PSS for new applications), the curve's ECDSA for EC,
 * PureEdDSA for Ed25519.
 */
export function defaultSigningAlgorithm(spec: KeySpec): SigningAlgorithm {
  const first = signingAlgorithmsFor(spec)[0];
  if (first === undefined) {
    throw new KmsError("InvalidKeyUsage", `Key spec ${spec} does not support signing.`);
  }
  return first;
}

function schemeFor(spec: KeySpec, algorithm: SigningAlgorithm, message: Buffer, messageType: MessageType): Scheme {
  const valid = signingAlgorithmsFor(spec);
  if (!valid.includes(algorithm)) {
    const names = valid.length === 0 ? "none" : valid.join(", ");
    throw new KmsError(
      "InvalidKeyUsage",
      `Signing algorithm ${algorithm} is not valid for key spec ${spec}; valid algorithms: ${names}.`,
    );
  }
  const scheme: Scheme = SIGNING_ALGORITHMS[algorithm];
  const messageTypes: readonly MessageType[] | undefined = "messageTypes" in scheme ? scheme.messageTypes : undefined;
  if (messageTypes && !messageTypes.includes(messageType)) {
    throw new KmsError("InvalidArgument", `${algorithm} needs MessageType ${messageTypes.join(" or ")}.`);
  }
  if (scheme.padding === "EdDSAph") {
    // RFC 8032's Ed25519ph needs OpenSSL >= 3.2's "instance" parameter: Node 20 (OpenSSL 3.0)
    // has none, and Node 24's `crypto.sign` offers only Ed25519ctx (its `context` option), checked
    // on 24.22.3. This service writes no curve arithmetic itself.
    throw new KmsError("UnsupportedOperation", `${algorithm} is not available on this service.`);
  }
  if (messageType === "RAW" && (message.length < 1 || message.length > MAX_RAW_MESSAGE_BYTES)) {
    throw new KmsError("InvalidArgument", `A RAW message must be 1 to ${MAX_RAW_MESSAGE_BYTES} bytes.`);
  }
  if (scheme.padding === "ML_DSA") {
    checkMlDsaInput(message, messageType);
    return scheme;
  }
  if (messageType === "EXTERNAL_MU") {
    throw new KmsError("InvalidArgument", "MessageType EXTERNAL_MU is valid only with ML_DSA_SHAKE_256.");
  }
  if (messageType === "DIGEST" && message.length !== scheme.hashBytes) {
    throw new KmsError("InvalidArgument", `A ${scheme.hash.toUpperCase()} digest must be ${scheme.hashBytes} bytes.`);
  }
  return scheme;
}

/**
 * ML-DSA signs RAW messages (pure ML-DSA, FIPS 204 Algorithm 2 with an empty context, as AWS KMS)
 * or, as AWS documents for larger messages, EXTERNAL_MU: the caller's 64-byte
 * mu = SHAKE256(SHAKE256(pk, 64) || M', 64). Node.js's `crypto.sign` takes only the message, so
 * EXTERNAL_MU goes to OpenSSL through the ml-dsa-mu addon (`ml-dsa-mu.ts`); where the addon is
 * not built it is `UnsupportedOperation`. DIGEST has no meaning for ML-DSA (AWS refuses it too).
 */
function checkMlDsaInput(message: Buffer, messageType: MessageType): void {
  if (messageType === "DIGEST") {
    throw new KmsError("InvalidArgument", "ML_DSA_SHAKE_256 signs a RAW message or an EXTERNAL_MU, not a DIGEST.");
  }
  if (messageType === "EXTERNAL_MU") {
    if (message.length !== SIGNING_ALGORITHMS.ML_DSA_SHAKE_256.hashBytes) {
      throw new KmsError("InvalidArgument", "An EXTERNAL_MU message must be 64 bytes.");
    }
    requireMlDsaMu();
  }
}

function nodeOptions(scheme: ClassicalScheme): { padding?: number; saltLength?: number; dsaEncoding?: "der" } {
  switch (scheme.padding) {
    case "PSS":
      return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.hashBytes };
    case "PKCS1":
      return { padding: constants.RSA_PKCS1_PADDING };
    case "ECDSA":
      return { dsaEncoding: "der" };
    default:
      return {};
  }
}

/** Node's digest argument: PureEdDSA hashes inside the scheme, so Node takes `null` for it. */
function nodeDigest(scheme: Scheme): string | null {
  return scheme.padding === "EdDSA" ? null : scheme.hash;
}

function rsaSignatureBytes(key: KeyObject): number | null {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  return key.asymmetricKeyType === "rsa" && bits !== undefined ? Math.ceil(bits / 8) : null;
}

/**
 * Signs `message` (RAW) or its precomputed digest (DIGEST) with a PKCS#8 DER private key.
 * RAW and DIGEST give signatures that verify the same way. PSS uses MGF1 with the message hash
 * and a salt as long as the hash (what AWS KMS produces); ECDSA signatures are DER-encoded
 * (`Ecdsa-Sig-Value`, RFC 3279 §2.2.3), as AWS KMS returns them; Ed25519 signatures are the
 * 64 bytes of RFC 8032 §5.1.6. ML-DSA signs a RAW message, or the 64-byte mu of an EXTERNAL_MU
 * (FIPS 204 §6.2), which verifies as pure ML-DSA over the message mu was computed from.
 *
 * @throws KmsError `InvalidKeyUsage` if the algorithm does not fit the spec (the message names
 *   the valid ones); `InvalidArgument` for a RAW message outside 1..4096 bytes, a digest of the
 *   wrong length or a message type the algorithm does not take; `UnsupportedOperation` for
 *   Ed25519ph, for PSS or ECDSA over a digest (use {@link signMessage}), and for EXTERNAL_MU
 *   where the ml-dsa-mu addon is not built.
 */
export function sign(p: {
  spec: KeySpec;
  privateKeyDer: Buffer;
  algorithm: SigningAlgorithm;
  message: Buffer;
  messageType: MessageType;
}): Buffer {
  const scheme = schemeFor(p.spec, p.algorithm, p.message, p.messageType);
  refusePrehash(scheme, p.messageType, p.algorithm);
  if (scheme.padding === "ML_DSA" && p.messageType === "EXTERNAL_MU") {
    return signMu(p.privateKeyDer, p.message);
  }
  const key = createPrivateKey({ key: p.privateKeyDer, format: "der", type: "pkcs8" });
  if (scheme.padding === "ML_DSA") {
    return nodeSign(null, p.message, key);
  }
  if (p.messageType === "DIGEST") {
    return signRsaPkcs1Digest(key, scheme.hash, p.message);
  }
  return nodeSign(nodeDigest(scheme), p.message, { key, ...nodeOptions(scheme) });
}

/**
 * Verifies a signature made by {@link sign} (or by any conforming implementation). Returns false,
 * never throws, for a wrong, truncated or malformed signature; throws only for the same request
 * errors as {@link sign}.
 */
export function verify(p: {
  spec: KeySpec;
  publicKeyDer: Buffer;
  algorithm: SigningAlgorithm;
  message: Buffer;
  messageType: MessageType;
  signature: Buffer;
}): boolean {
  const scheme = schemeFor(p.spec, p.algorithm, p.message, p.messageType);
  refusePrehash(scheme, p.messageType, p.algorithm);
  const key = createPublicKey({ key: p.publicKeyDer, format: "der", type: "spki" });
  const rsaBytes = rsaSignatureBytes(key);
  if (rsaBytes !== null && p.signature.length !== rsaBytes) {
    return false;
  }
  if (scheme.padding === "ML_DSA") {
    try {
      if (p.messageType === "EXTERNAL_MU") return verifyMu(p.publicKeyDer, p.message, p.signature);
      return nodeVerify(null, p.message, key, p.signature);
    } catch {
      return false;
    }
  }
  if (p.messageType === "DIGEST") {
    return verifyRsaPkcs1Digest(key, scheme.hash, p.message, p.signature);
  }
  try {
    return nodeVerify(nodeDigest(scheme), p.message, { key, ...nodeOptions(scheme) }, p.signature);
  } catch {
    return false;
  }
}

/** PSS and ECDSA over a digest need OpenSSL's prehash signing: only the async functions do it. */
function isPrehash(scheme: Scheme, messageType: MessageType): scheme is Scheme & { padding: "PSS" | "ECDSA" } {
  return messageType === "DIGEST" && (scheme.padding === "PSS" || scheme.padding === "ECDSA");
}

function refusePrehash(scheme: Scheme, messageType: MessageType, algorithm: SigningAlgorithm): void {
  if (isPrehash(scheme, messageType)) {
    throw new KmsError("UnsupportedOperation", `${algorithm} over a digest needs signMessage/verifyMessage.`);
  }
}

/**
 * Signs a RAW message or a DIGEST with any supported algorithm. PKCS#1 v1.5 and every RAW
 * message run in-process ({@link sign}); PSS and ECDSA over a digest go to OpenSSL's prehash
 * signing (`openssl-prehash.ts`), because Node 20 has no API for it.
 */
export async function signMessage(p: Parameters<typeof sign>[0]): Promise<Buffer> {
  const scheme = schemeFor(p.spec, p.algorithm, p.message, p.messageType);
  if (!isPrehash(scheme, p.messageType)) return sign(p);
  return signPrehashed(p.privateKeyDer, { hash: scheme.hash, scheme: scheme.padding, digest: p.message });
}

/** Verifies like {@link verify}, including PSS and ECDSA over a digest. */
export async function verifyMessage(p: Parameters<typeof verify>[0]): Promise<boolean> {
  const scheme = schemeFor(p.spec, p.algorithm, p.message, p.messageType);
  if (!isPrehash(scheme, p.messageType)) return verify(p);
  const key = createPublicKey({ key: p.publicKeyDer, format: "der", type: "spki" });
  const rsaBytes = rsaSignatureBytes(key);
  if (rsaBytes !== null && p.signature.length !== rsaBytes) return false;
  return verifyPrehashed(p.publicKeyDer, p.signature, { hash: scheme.hash, scheme: scheme.padding, digest: p.message });
}
