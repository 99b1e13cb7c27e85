import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { KeySpec, KeyState, KeyUsage } from "../../gen/kms/v1/types_pb.js";

/** Labels as the AWS console spells them. */
export const KEY_SPECS: readonly (readonly [KeySpec, string])[] = [
  [KeySpec.AES_256, "Symmetric (AES-256)"],
  [KeySpec.RSA_2048, "RSA 2048"],
  [KeySpec.RSA_3072, "RSA 3072"],
  [KeySpec.RSA_4096, "RSA 4096"],
  [KeySpec.EC_P256, "ECC P-256"],
  [KeySpec.EC_P256K, "ECC secp256k1"],
  [KeySpec.HMAC_256, "HMAC 256"],
];

export const KEY_USAGES: readonly (readonly [KeyUsage, string])[] = [
  [KeyUsage.ENCRYPT_DECRYPT, "Encrypt and decrypt"],
  [KeyUsage.SIGN_VERIFY, "Sign and verify"],
  [KeyUsage.GENERATE_VERIFY_MAC, "Generate and verify MAC"],
];

const STATES: Record<KeyState, string> = {
  [KeyState.UNSPECIFIED]: "Unknown",
  [KeyState.ENABLED]: "Enabled",
  [KeyState.DISABLED]: "Disabled",
  [KeyState.PENDING_DELETION]: "Pending deletion",
};

export function specLabel(spec: KeySpec): string {
  return KEY_SPECS.find(([s]) => s === spec)?.[1] ?? "Unknown";
}

export function usageLabel(usage: KeyUsage): string {
  return KEY_USAGES.find(([u]) => u === usage)?.[1] ?? "Unknown";
}

export function stateLabel(state: KeyState): string {
  return STATES[state];
}

/** The usage a spec allows first (RSA keys may also sign; the form lets the user choose). */
export function defaultUsage(spec: KeySpec): KeyUsage {
  if (spec === KeySpec.EC_P256 || spec === KeySpec.EC_P256K) return KeyUsage.SIGN_VERIFY;
  if (spec === KeySpec.HMAC_256) return KeyUsage.GENERATE_VERIFY_MAC;
  return KeyUsage.ENCRYPT_DECRYPT;
}

export function dateLabel(ts: Timestamp | undefined): string {
  if (!ts) return "—";
  const date = new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6));
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Decodes base64 (whitespace ignored); throws a `FormatError` a person can act on. */
export function fromBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text.replace(/\s+/g, ""));
  } catch {
    throw new FormatError("The ciphertext is not valid base64. Paste it exactly as it was shown.");
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * Parses an encryption context written one `key=value` pair per line (blank lines ignored).
 * The values are bound into the ciphertext; decrypting needs the same pairs.
 */
export function parseContext(text: string): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new FormatError(`Encryption context line ${i + 1} should look like name=value.`);
    context[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return context;
}

/** An input the console itself refuses before calling the service; its message is shown as is. */
export class FormatError extends Error {
  override readonly name = "FormatError";
}
