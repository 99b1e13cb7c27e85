import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { KeyState, type KeyPairSpec, type KeySpec, type KeyUsage } from "../../gen/kms/v1/types_pb.js";
import { KEY_USAGES as USAGE_ROWS, namesOf } from "../../src/domain/algorithms.js";
import { KEY_PAIR_SPEC_NAMES, KEY_PAIR_SPECS as PAIR_ROWS, KEY_SPEC_NAMES, specRow } from "../../src/domain/specs.js";

/**
 * The dropdowns' options, from the key-spec catalogue (`src/domain/specs.ts`): each spec's
 * `kms.v1` value and its label as the AWS console spells it.
 */
export const KEY_SPECS: readonly (readonly [KeySpec, string])[] = KEY_SPEC_NAMES.map(
  (s) => [specRow(s).proto as KeySpec, specRow(s).label] as const,
);

export const KEY_USAGES: readonly (readonly [KeyUsage, string])[] = namesOf(USAGE_ROWS).map(
  (u) => [USAGE_ROWS[u].proto as KeyUsage, USAGE_ROWS[u].label] as const,
);

export const KEY_PAIR_SPECS: readonly (readonly [KeyPairSpec, string])[] = KEY_PAIR_SPEC_NAMES.map(
  (s) => [PAIR_ROWS[s].proto as KeyPairSpec, specRow(s).label] as const,
);

/** The pair spec the playground starts with: an EC one, quick to generate (RSA takes up to a second). */
export const DEFAULT_PAIR_SPEC = KEY_PAIR_SPECS[KEY_PAIR_SPEC_NAMES.findIndex((s) => specRow(s).family === "EC")]![0];

/** The catalogue's row of a `kms.v1` key spec, if it has one. */
function rowOf(spec: KeySpec) {
  const name = KEY_SPEC_NAMES.find((s) => specRow(s).proto === spec);
  return name === undefined ? undefined : specRow(name);
}

const STATES: Record<KeyState, string> = {
  [KeyState.UNSPECIFIED]: "Unknown",
  [KeyState.ENABLED]: "Enabled",
  [KeyState.DISABLED]: "Disabled",
  [KeyState.PENDING_DELETION]: "Pending deletion",
  [KeyState.PENDING_IMPORT]: "Pending import",
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
  const usage = rowOf(spec)?.usages[0] ?? "ENCRYPT_DECRYPT";
  return USAGE_ROWS[usage].proto as KeyUsage;
}

/** The usages a spec allows, as the create form offers them: no combination the service would refuse. */
export function usagesFor(spec: KeySpec): readonly (readonly [KeyUsage, string])[] {
  const allowed = rowOf(spec)?.usages ?? [];
  return allowed.map((u) => [USAGE_ROWS[u].proto as KeyUsage, USAGE_ROWS[u].label] as const);
}

/** Whether keys of this spec can be rotated (the detail view offers "Rotate now"). */
export function isRotatable(spec: KeySpec): boolean {
  return rowOf(spec)?.rotatable ?? false;
}

export function dateOf(ts: Timestamp | undefined): Date | undefined {
  return ts ? new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6)) : undefined;
}

export function dateLabel(ts: Timestamp | undefined): string {
  const date = dateOf(ts);
  return date ? date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—";
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
