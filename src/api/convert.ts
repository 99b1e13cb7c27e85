import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { aliasArn, keyArn } from "../core/keys/key-id.js";
import { KmsError } from "../domain/errors.js";
import type { GrantConstraints, GrantRecord } from "../domain/security-records.js";
import type { AliasRecord, KeyRecord } from "../domain/types.js";
import type { VersionState } from "../core/keys/retired-versions.js";
import type { KeyVersionView } from "../core/rotation/rotation.js";
import {
  DATA_KEY_SPECS,
  ENCRYPTION_ALGORITHMS,
  KEY_AGREEMENT_ALGORITHMS,
  KEY_FORMATS,
  KEY_STATES,
  KEY_USAGES,
  MAC_ALGORITHMS,
  MESSAGE_TYPES,
  SIGNING_ALGORITHMS,
  type WireNames,
} from "../domain/algorithms.js";
import { KEY_PAIR_SPECS, KEY_SPECS } from "../domain/specs.js";
import { EXPIRATION_MODELS, IMPORT_STATES, KEY_MATERIAL_STATES, KEY_ORIGINS } from "../domain/key-import.js";
import type { EncryptionAlgorithm, KeyAgreementAlgorithm } from "../../gen/kms/v1/crypto_service_pb.js";
import type {
  Alias,
  DataKeySpec,
  Grant as GrantMessage,
  GrantConstraints as GrantConstraintsMessage,
  KeyFormat,
  KeyMetadata,
  KeyPairSpec,
  KeySpec,
  KeyState,
  KeyUsage,
  KeyVersion,
  KeyVersionState,
  MacAlgorithm,
  MessageType,
  SigningAlgorithm,
} from "../../gen/kms/v1/types_pb.js";

/**
 * Proto ↔ core conversions, derived from the catalogue's `proto` values (`src/domain/specs.ts`,
 * `src/domain/algorithms.ts`). Zero (`*_UNSPECIFIED`) means "not given"; a number no row has is
 * `InvalidArgument` naming the accepted values, never a crash.
 */
export function fromProto<T extends Record<string, WireNames>>(
  table: T,
  value: number,
  field: string,
): (keyof T & string) | undefined {
  if (value === 0) return undefined;
  const names = Object.keys(table) as (keyof T & string)[];
  const name = names.find((n) => table[n]!.proto === value);
  if (name === undefined) {
    const valid = names.filter((n) => table[n]!.proto !== undefined);
    throw new KmsError("InvalidArgument", `${field} must be one of ${valid.join(", ")}.`);
  }
  return name;
}

/** A core name → its `kms.v1` number. */
function toProto<T extends Record<string, WireNames>>(table: T, name: keyof T): number {
  const proto = table[name]?.proto;
  if (proto === undefined) throw new Error(`no kms.v1 value for ${String(name)}`);
  return proto;
}

export const toKeySpec = (v: KeySpec) => fromProto(KEY_SPECS, v, "key_spec");
export const toKeyUsage = (v: KeyUsage) => fromProto(KEY_USAGES, v, "key_usage");
export const toPairSpec = (v: KeyPairSpec) => fromProto(KEY_PAIR_SPECS, v, "key_pair_spec");
export const toKeyFormat = (v: KeyFormat) => fromProto(KEY_FORMATS, v, "key_format") ?? "PEM";
export const toDataKeySpec = (v: DataKeySpec) => fromProto(DATA_KEY_SPECS, v, "key_spec");
export const toSigningAlgorithm = (v: SigningAlgorithm) => fromProto(SIGNING_ALGORITHMS, v, "signing_algorithm");
export const toMessageType = (v: MessageType) => fromProto(MESSAGE_TYPES, v, "message_type") ?? "RAW";
export const toKeyOrigin = (v: number) => fromProto(KEY_ORIGINS, v, "origin");
export const toEncryptionAlgorithm = (v: EncryptionAlgorithm) =>
  fromProto(ENCRYPTION_ALGORITHMS, v, "encryption_algorithm");
export const toMacAlgorithm = (v: MacAlgorithm) => fromProto(MAC_ALGORITHMS, v, "mac_algorithm");
export const toKeyAgreementAlgorithm = (v: KeyAgreementAlgorithm) =>
  fromProto(KEY_AGREEMENT_ALGORITHMS, v, "key_agreement_algorithm");

/** Core names back to proto numbers. */
export const fromKeySpec = (s: keyof typeof KEY_SPECS) => toProto(KEY_SPECS, s) as KeySpec;
export const fromKeyUsage = (u: keyof typeof KEY_USAGES) => toProto(KEY_USAGES, u) as KeyUsage;
export const fromPairSpec = (s: keyof typeof KEY_PAIR_SPECS) => toProto(KEY_PAIR_SPECS, s) as KeyPairSpec;
export const fromSigningAlgorithm = (a: keyof typeof SIGNING_ALGORITHMS) =>
  toProto(SIGNING_ALGORITHMS, a) as SigningAlgorithm;
export const fromEncryptionAlgorithm = (a: keyof typeof ENCRYPTION_ALGORITHMS) =>
  toProto(ENCRYPTION_ALGORITHMS, a) as EncryptionAlgorithm;
export const fromKeyState = (s: keyof typeof KEY_STATES) => toProto(KEY_STATES, s) as KeyState;
export const fromMacAlgorithm = (a: keyof typeof MAC_ALGORITHMS) => toProto(MAC_ALGORITHMS, a) as MacAlgorithm;
export const fromKeyAgreementAlgorithm = (a: keyof typeof KEY_AGREEMENT_ALGORITHMS) =>
  toProto(KEY_AGREEMENT_ALGORITHMS, a) as KeyAgreementAlgorithm;
export const fromKeyOrigin = (o: keyof typeof KEY_ORIGINS) => toProto(KEY_ORIGINS, o);

type Init<T> = Omit<T, "$typeName" | "$unknown">;

/** A version's state on the wire (`KeyVersionState`: 1 usable, 2 retired, 3 trimmed). */
const KEY_VERSION_STATES = { USABLE: 1, RETIRED: 2, TRIMMED: 3 } as const satisfies Record<
  VersionState,
  KeyVersionState
>;
const ts = (d: Date | null): Timestamp | undefined => (d ? timestampFromDate(d) : undefined);
type Arn = Parameters<typeof keyArn>[0];

export function keyMetadata(arn: Arn, key: KeyRecord): Init<KeyMetadata> {
  return {
    keyId: key.id,
    arn: keyArn(arn, key.id),
    description: key.description,
    keySpec: fromKeySpec(key.spec),
    keyUsage: fromKeyUsage(key.usage),
    keyState: fromKeyState(key.state),
    createTime: ts(key.createdAt),
    deletionTime: ts(key.deletionAt),
    initialKeyVersionId: key.initialVersionId,
    primaryKeyVersionId: key.primaryVersionId,
    automaticRotation: key.rotationEnabled,
    rotationPeriodDays: key.rotationPeriodDays ?? 0,
    nextRotationTime: ts(key.nextRotationAt),
    tags: { ...key.tags },
    minDecryptionKeyVersionId: key.minDecryptionVersionId ?? "",
    origin: toProto(KEY_ORIGINS, key.origin ?? "AWS_KMS"),
    expirationModel: key.expirationModel ? toProto(EXPIRATION_MODELS, key.expirationModel) : 0,
    validTo: ts(key.materialExpiresAt ?? null),
    currentKeyMaterialId: key.state === "PendingImport" ? "" : key.primaryVersionId,
  } as Init<KeyMetadata>;
}

export function keyVersion(v: KeyVersionView): Init<KeyVersion> {
  return {
    keyId: v.keyId,
    keyVersionId: v.versionId,
    createTime: ts(v.createdAt),
    state: KEY_VERSION_STATES[v.state],
    keyMaterialState: toProto(KEY_MATERIAL_STATES, v.materialState),
    importState: v.importState ? toProto(IMPORT_STATES, v.importState) : 0,
    expirationModel: v.expirationModel ? toProto(EXPIRATION_MODELS, v.expirationModel) : 0,
    validTo: ts(v.validTo ?? null),
    keyMaterialDescription: v.materialDescription ?? "",
  } as Init<KeyVersion>;
}

export function alias(arn: Arn, a: AliasRecord): Init<Alias> {
  return {
    aliasName: a.name,
    aliasArn: aliasArn(arn, a.name),
    targetKeyId: a.keyId,
    createTime: ts(a.createdAt),
    updateTime: ts(a.updatedAt),
  } as Init<Alias>;
}

/** Proto constraints to core's; empty maps mean "no constraint of that kind". */
export function grantConstraints(c: GrantConstraintsMessage | undefined): GrantConstraints | undefined {
  if (!c) return undefined;
  const equals = Object.keys(c.encryptionContextEquals).length > 0 ? c.encryptionContextEquals : undefined;
  const subset = Object.keys(c.encryptionContextSubset).length > 0 ? c.encryptionContextSubset : undefined;
  if (!equals && !subset) return undefined;
  return {
    ...(equals ? { encryptionContextEquals: equals } : {}),
    ...(subset ? { encryptionContextSubset: subset } : {}),
  };
}

/** A stored grant as the proto `Grant` (never its token hash). */
export function grant(g: GrantRecord): Init<GrantMessage> {
  return {
    grantId: g.grantId,
    keyId: g.keyId,
    granteePrincipal: g.grantee,
    retiringPrincipal: g.retiringPrincipal ?? "",
    operations: [...g.operations],
    constraints: g.constraints
      ? {
          encryptionContextEquals: { ...(g.constraints.encryptionContextEquals ?? {}) },
          encryptionContextSubset: { ...(g.constraints.encryptionContextSubset ?? {}) },
        }
      : undefined,
    name: g.name ?? "",
    issuingPrincipal: g.createdBy,
    createTime: ts(g.createdAt),
  } as Init<GrantMessage>;
}
