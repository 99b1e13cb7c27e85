import { generateKeyPairSync as nodeGenerateKeyPairSync } from "node:crypto";
import type { KeyFormat } from "../domain/algorithms.js";
import { isName } from "../domain/algorithms.js";
import { KEY_SPECS, type KeySpec, specRow } from "../domain/specs.js";

/** A freshly generated pair: SubjectPublicKeyInfo DER and PKCS#8 DER (RFC 5280, RFC 5208). */
export interface GeneratedKeyPair {
  publicKeyDer: Buffer;
  privateKeyDer: Buffer;
}

/**
 * Generates key pairs off the event loop (RSA generation costs up to a second of CPU). Injected into core: production uses
 * the worker pool (`pool/worker-pool.ts`), unit tests may use the inline generator.
 */
export interface KeyPairGenerator {
  /**
   * A pair of any asymmetric spec (a data-key-pair spec or a KMS key's, such as ML-DSA). Rejects
   * with an `AbortError` when `signal` aborts before the job completes.
   */
  generate(spec: KeySpec, signal?: AbortSignal): Promise<GeneratedKeyPair>;
  close(): Promise<void>;
}

/**
 * Generates one pair on the calling thread. CPU-heavy (RSA-4096 takes up to a second): call it
 * only inside a worker thread. RSA uses the public exponent 65537 (RFC 8017 §3.1 allows any odd
 * e; 65537 is the value every interoperable implementation expects). The modulus size or the
 * curve is the spec's row in the catalogue (`src/domain/specs.ts`); Ed25519 keys are RFC 8410's
 * PKCS#8 and SPKI encodings. Post-quantum pairs (ML-DSA, ML-KEM) come out as Node.js encodes
 * them: PKCS#8 holding the seed (FIPS 204/203 key generation input), SPKI holding the encoded
 * public key.
 */
export function generateKeyPairSync(spec: KeySpec): GeneratedKeyPair {
  const publicKeyEncoding = { type: "spki", format: "der" } as const;
  const privateKeyEncoding = { type: "pkcs8", format: "der" } as const;
  // The spec crossed a worker boundary: an unknown one is refused below, not read as a row.
  const generation = isName(KEY_SPECS, spec) ? specRow(spec).generate : undefined;
  if (generation?.kind === "rsa") {
    const pair = nodeGenerateKeyPairSync("rsa", {
      modulusLength: generation.modulusBits,
      publicExponent: 0x10001,
      publicKeyEncoding,
      privateKeyEncoding,
    });
    return { publicKeyDer: pair.publicKey, privateKeyDer: pair.privateKey };
  }
  if (generation?.kind === "ec") {
    const { namedCurve } = generation;
    const pair = nodeGenerateKeyPairSync("ec", { namedCurve, publicKeyEncoding, privateKeyEncoding });
    return { publicKeyDer: pair.publicKey, privateKeyDer: pair.privateKey };
  }
  if (generation?.kind === "ed25519") {
    const pair = nodeGenerateKeyPairSync("ed25519", { publicKeyEncoding, privateKeyEncoding });
    return { publicKeyDer: pair.publicKey, privateKeyDer: pair.privateKey };
  }
  if (generation?.kind === "post-quantum") {
    // @types/node 20 has no overload for the ML-DSA/ML-KEM types; the options are the same as Ed25519's.
    const type = generation.keyType as "ed25519";
    const pair = nodeGenerateKeyPairSync(type, { publicKeyEncoding, privateKeyEncoding });
    return { publicKeyDer: pair.publicKey, privateKeyDer: pair.privateKey };
  }
  throw new Error(`unknown key pair spec ${String(spec)}`);
}

function pem(label: string, der: Buffer): Buffer {
  const b64 = der.toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) {
    lines.push(b64.slice(i, i + 64));
  }
  return Buffer.from(`-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`, "utf8");
}

/**
 * Encodes an SPKI DER public key as the caller asked: DER as is (a copy), or PEM text
 * (`-----BEGIN PUBLIC KEY-----`, RFC 7468 §13) as UTF-8 bytes.
 */
export function encodePublicKey(der: Buffer, format: KeyFormat): Buffer {
  return format === "PEM" ? pem("PUBLIC KEY", der) : Buffer.from(der);
}

/**
 * Encodes a PKCS#8 DER private key: DER as is (a copy), or PEM text
 * (a `PRIVATE KEY` block, RFC 7468 §10) as UTF-8 bytes. The PEM path passes through a
 * JavaScript string, which cannot be zeroed; it lives only until collected.
 */
export function encodePrivateKey(der: Buffer, format: KeyFormat): Buffer {
  return format === "PEM" ? pem("PRIVATE KEY", der) : Buffer.from(der);
}
