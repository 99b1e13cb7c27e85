import { type Timestamp, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { aliasArn, keyArn } from "../core/keys/key-id.js";
import { KmsError } from "../domain/errors.js";
import type { GrantConstraints, GrantRecord } from "../domain/security-records.js";
import type {
  AliasRecord,
  EncryptionAlgorithm as CoreEncryptionAlgorithm,
  KeyFormat as CoreKeyFormat,
  KeyPairSpec as CoreKeyPairSpec,
  KeySpec as CoreKeySpec,
  KeyUsage as CoreKeyUsage,
  MessageType as CoreMessageType,
  SigningAlgorithm as CoreSigningAlgorithm,
  KeyRecord,
  KeyVersionRecord,
} from "../domain/types.js";
import { EncryptionAlgorithm } from "../../gen/kms/v1/crypto_service_pb.js";
import {
  type Alias,
  DataKeySpec,
  type Grant as GrantMessage,
  type GrantConstraints as GrantConstraintsMessage,
  KeyFormat,
  type KeyMetadata,
  KeyPairSpec,
  KeySpec,
  KeyState,
  KeyUsage,
  type KeyVersion,
  MessageType,
  SigningAlgorithm,
} from "../../gen/kms/v1/types_pb.js";

/**
 * Proto ↔ core conversions. protobuf-es strips the enum prefix, so `KeySpec.AES_256` is named
 * `AES_256` — the core spelling — and the reverse mapping of the numeric enum does most of the
 * work. An out-of-range number from the wire is `InvalidArgument`, never a crash.
 */
function fromEnum<T extends string>(
  e: Record<number, string>,
  value: number,
  field: string,
  valid: readonly string[],
): T | undefined {
  if (value === 0) return undefined;
  const name = e[value];
  if (name === undefined || !valid.includes(name)) {
    throw new KmsError("InvalidArgument", `${field} must be one of ${valid.join(", ")}.`);
  }
  return name as T;
}

const KEY_SPECS = ["AES_256", "RSA_2048", "RSA_3072", "RSA_4096", "EC_P256", "EC_P256K", "HMAC_256"] as const;
const KEY_USAGES = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"] as const;
const PAIR_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096", "EC_P256", "EC_P256K"] as const;
const SIGNING = [
  "RSASSA_PSS_SHA_256",
  "RSASSA_PSS_SHA_384",
  "RSASSA_PSS_SHA_512",
  "RSASSA_PKCS1_V1_5_SHA_256",
  "RSASSA_PKCS1_V1_5_SHA_384",
  "RSASSA_PKCS1_V1_5_SHA_512",
  "ECDSA_SHA_256",
] as const;

export const toKeySpec = (v: KeySpec) => fromEnum<CoreKeySpec>(KeySpec, v, "key_spec", KEY_SPECS);
export const toKeyUsage = (v: KeyUsage) => fromEnum<CoreKeyUsage>(KeyUsage, v, "key_usage", KEY_USAGES);
export const toPairSpec = (v: KeyPairSpec) => fromEnum<CoreKeyPairSpec>(KeyPairSpec, v, "key_pair_spec", PAIR_SPECS);
export const toKeyFormat = (v: KeyFormat): CoreKeyFormat =>
  fromEnum<CoreKeyFormat>(KeyFormat, v, "key_format", ["PEM", "DER"]) ?? "PEM";
export const toDataKeySpec = (v: DataKeySpec) =>
  fromEnum<"AES_256" | "AES_128">(DataKeySpec, v, "key_spec", ["AES_256", "AES_128"]);
export const toSigningAlgorithm = (v: SigningAlgorithm) =>
  fromEnum<CoreSigningAlgorithm>(SigningAlgorithm, v, "signing_algorithm", SIGNING);
export const toMessageType = (v: MessageType): CoreMessageType =>
  fromEnum<CoreMessageType>(MessageType, v, "message_type", ["RAW", "DIGEST"]) ?? "RAW";
export const toEncryptionAlgorithm = (v: EncryptionAlgorithm) =>
  fromEnum<CoreEncryptionAlgorithm>(EncryptionAlgorithm, v, "encryption_algorithm", [
    "SYMMETRIC_DEFAULT",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
  ]);

/** Core names back to proto numbers (the enum objects map names to numbers). */
export const fromKeySpec = (s: CoreKeySpec): KeySpec => KeySpec[s];
export const fromKeyUsage = (u: CoreKeyUsage): KeyUsage => KeyUsage[u];
export const fromPairSpec = (s: CoreKeyPairSpec): KeyPairSpec => KeyPairSpec[s];
export const fromSigningAlgorithm = (a: CoreSigningAlgorithm): SigningAlgorithm => SigningAlgorithm[a];
export const fromEncryptionAlgorithm = (a: CoreEncryptionAlgorithm): EncryptionAlgorithm => EncryptionAlgorithm[a];

const STATES = {
  Enabled: KeyState.ENABLED,
  Disabled: KeyState.DISABLED,
  PendingDeletion: KeyState.PENDING_DELETION,
} as const;

type Init<T> = Omit<T, "$typeName" | "$unknown">;
const ts = (d: Date | null): Timestamp | undefined => (d ? timestampFromDate(d) : undefined);
type Arn = Parameters<typeof keyArn>[0];

export function keyMetadata(arn: Arn, key: KeyRecord): Init<KeyMetadata> {
  return {
    keyId: key.id,
    arn: keyArn(arn, key.id),
    description: key.description,
    keySpec: fromKeySpec(key.spec),
    keyUsage: fromKeyUsage(key.usage),
    keyState: STATES[key.state],
    createTime: ts(key.createdAt),
    deletionTime: ts(key.deletionAt),
    initialKeyVersionId: key.initialVersionId,
    primaryKeyVersionId: key.primaryVersionId,
    automaticRotation: key.rotationEnabled,
    rotationPeriodDays: key.rotationPeriodDays ?? 0,
    nextRotationTime: ts(key.nextRotationAt),
    tags: { ...key.tags },
  } as Init<KeyMetadata>;
}

export function keyVersion(v: KeyVersionRecord): Init<KeyVersion> {
  return { keyId: v.keyId, keyVersionId: v.versionId, createTime: ts(v.createdAt) } as Init<KeyVersion>;
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
