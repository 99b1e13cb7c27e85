import {
  DATA_KEY_SPECS,
  ENCAPSULATION_ALGORITHMS,
  ENCRYPTION_ALGORITHMS,
  KEY_STATES,
  KEY_USAGES,
  KEY_AGREEMENT_ALGORITHMS,
  MAC_ALGORITHMS,
  MESSAGE_TYPES,
  SIGNING_ALGORITHMS,
  type WireNames,
} from "../domain/algorithms.js";
import { KEY_PAIR_SPECS, KEY_SPECS, type KeyPairSpec, type KeySpec, specRow } from "../domain/specs.js";
import { invalidField } from "../core/validate.js";
import {
  EXPIRATION_MODELS,
  IMPORT_TYPES,
  KEY_ORIGINS,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
} from "../domain/key-import.js";
import { memberField } from "./json.js";

/**
 * AWS enum spellings ↔ core's, derived from the catalogue's `aws` names (`src/domain/specs.ts`,
 * `src/domain/algorithms.ts`). Only values this service implements are listed: any other value,
 * including ones AWS knows (`SM2`, …), is a `ValidationException` naming the accepted set, in the
 * catalogue's order.
 */
function awsTable<T extends Record<string, WireNames>>(table: T): Record<string, keyof T & string> {
  return Object.fromEntries(
    Object.entries(table).flatMap(([name, wire]) => (wire.aws === undefined ? [] : [[wire.aws, name]])),
  );
}

export const AWS_KEY_SPECS = awsTable(KEY_SPECS);
export const AWS_PAIR_SPECS = awsTable(KEY_PAIR_SPECS);
export const AWS_KEY_USAGES = awsTable(KEY_USAGES);
export const AWS_KEY_STATES = awsTable(KEY_STATES);
export const AWS_DATA_KEY_SPECS = awsTable(DATA_KEY_SPECS);
export const AWS_ENCRYPTION_ALGORITHMS = awsTable(ENCRYPTION_ALGORITHMS);
export const AWS_SIGNING_ALGORITHMS = awsTable(SIGNING_ALGORITHMS);
export const AWS_MESSAGE_TYPES = awsTable(MESSAGE_TYPES);
export const AWS_ENCAPSULATION_ALGORITHMS = awsTable(ENCAPSULATION_ALGORITHMS);
export const AWS_MAC_ALGORITHMS = awsTable(MAC_ALGORITHMS);
export const AWS_KEY_AGREEMENT_ALGORITHMS = awsTable(KEY_AGREEMENT_ALGORITHMS);
export const AWS_ORIGINS = awsTable(KEY_ORIGINS);
export const AWS_WRAPPING_ALGORITHMS = awsTable(WRAPPING_ALGORITHMS);
export const AWS_WRAPPING_KEY_SPECS = awsTable(WRAPPING_KEY_SPECS);
export const AWS_EXPIRATION_MODELS = awsTable(EXPIRATION_MODELS);
export const AWS_IMPORT_TYPES = awsTable(IMPORT_TYPES);

/**
 * Maps an AWS enum value through one of the tables above. The table is read with
 * `Object.hasOwn`, so a value like `__proto__` or `toString` can never select anything.
 */
export function fromAws<M extends Record<string, string>>(table: M, member: string, value: string): M[keyof M];
export function fromAws<M extends Record<string, string>>(
  table: M,
  member: string,
  value: string | undefined,
): M[keyof M] | undefined;
export function fromAws<M extends Record<string, string>>(
  table: M,
  member: string,
  value: string | undefined,
): M[keyof M] | undefined {
  if (value === undefined) return undefined;
  if (!Object.hasOwn(table, value)) {
    throw invalidField(memberField(member), `satisfy enum value set: [${Object.keys(table).join(", ")}]`, value);
  }
  return table[value as keyof M];
}

/** A core name → its AWS name, through the catalogue row's `aws`. */
export function toAws<T extends Record<string, WireNames>>(table: T, name: keyof T): string {
  const aws = table[name]?.aws;
  if (aws === undefined) throw new Error(`no AWS name for ${String(name)}`);
  return aws;
}

/** Core key spec → the AWS name (`KeySpec` and the legacy `CustomerMasterKeySpec`). */
export function awsKeySpec(spec: KeySpec): string {
  return toAws(KEY_SPECS, spec);
}

/**
 * `{ CustomerMasterKeySpec }`, the deprecated twin of `KeySpec`, for the specs its frozen AWS enum
 * has; nothing for newer ones (Ed25519), whose name a strict client could not read there.
 */
export function awsLegacyKeySpec(spec: KeySpec): { CustomerMasterKeySpec?: string } {
  return specRow(spec).legacyAwsName === false ? {} : { CustomerMasterKeySpec: awsKeySpec(spec) };
}

/** Core pair spec → the AWS `DataKeyPairSpec` name. */
export function awsPairSpec(spec: KeyPairSpec): string {
  return toAws(KEY_PAIR_SPECS, spec);
}
