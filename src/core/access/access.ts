import type { EncryptionContext, KeyRecord } from "../../domain/types.js";

/** Who is calling: resolved by a transport's authentication before core runs. */
export interface Principal {
  name: string;
  /** Admins may do everything to every key, whatever its policy says. */
  admin: boolean;
}

/**
 * The permission a key operation needs, named as AWS KMS names its actions (`kms:<Action>` in a
 * key policy). The Alibaba-only operations need their AWS equivalent (AdvanceEncrypt needs
 * `Encrypt`, AdvanceGenerateDataKeyPair needs `GenerateDataKeyPair`), so one policy covers both APIs.
 */
export type KeyAction =
  | "DescribeKey"
  | "UpdateKeyDescription"
  | "EnableKey"
  | "DisableKey"
  | "ScheduleKeyDeletion"
  | "CancelKeyDeletion"
  | "TagResource"
  | "UntagResource"
  | "ListResourceTags"
  | "RotateKeyOnDemand"
  | "SetMinDecryptionVersion"
  | "TrimKeyVersions"
  | "ListKeyRotations"
  | "EnableKeyRotation"
  | "DisableKeyRotation"
  | "GetKeyRotationStatus"
  | "CreateAlias"
  | "UpdateAlias"
  | "DeleteAlias"
  | "Encrypt"
  | "Decrypt"
  | "ReEncryptFrom"
  | "ReEncryptTo"
  | "GenerateDataKey"
  | "GenerateDataKeyWithoutPlaintext"
  | "GenerateDataKeyPair"
  | "GenerateDataKeyPairWithoutPlaintext"
  | "Sign"
  | "Verify"
  | "GetPublicKey"
  | "GenerateMac"
  | "VerifyMac"
  | "DeriveSharedSecret"
  | "Encapsulate"
  | "Decapsulate"
  | "GetKeyPolicy"
  | "PutKeyPolicy"
  | "CreateGrant"
  | "ListGrants"
  | "RevokeGrant"
  | "RetireGrant"
  | "GetParametersForImport"
  | "ImportKeyMaterial"
  | "DeleteImportedKeyMaterial"
  | "ListKeyPolicies"
  | "GetKeyLastUsage";

/** One access decision's inputs. */
export interface AccessCheck {
  principal: Principal;
  action: KeyAction;
  key: KeyRecord;
  /** The request's encryption context, for policy conditions and grant constraints. */
  context?: EncryptionContext | undefined;
  grantTokens?: readonly string[] | undefined;
}

/**
 * Decides whether a principal may perform an action on a key; throws `AccessDenied` (or
 * `InvalidGrantToken` for a bad token) when not. Core calls it for every operation on a key,
 * after resolving the key and before looking at its state, as AWS KMS does.
 */
export interface KeyAccess {
  check(req: AccessCheck): Promise<void>;
}
