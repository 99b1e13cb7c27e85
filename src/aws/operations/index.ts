import { cancelKeyDeletion } from "./cancel-key-deletion.js";
import { createAlias } from "./create-alias.js";
import { createGrant } from "./create-grant.js";
import { createKey } from "./create-key.js";
import { decapsulate } from "./decapsulate.js";
import { decrypt } from "./decrypt.js";
import { deleteAlias } from "./delete-alias.js";
import { deleteImportedKeyMaterial } from "./delete-imported-key-material.js";
import { deriveSharedSecret } from "./derive-shared-secret.js";
import { describeKey } from "./describe-key.js";
import { disableKey } from "./disable-key.js";
import { disableKeyRotation } from "./disable-key-rotation.js";
import { enableKey } from "./enable-key.js";
import { enableKeyRotation } from "./enable-key-rotation.js";
import { encapsulate } from "./encapsulate.js";
import { encrypt } from "./encrypt.js";
import { generateDataKey } from "./generate-data-key.js";
import { generateDataKeyPair } from "./generate-data-key-pair.js";
import { generateDataKeyPairWithoutPlaintext } from "./generate-data-key-pair-without-plaintext.js";
import { generateDataKeyWithoutPlaintext } from "./generate-data-key-without-plaintext.js";
import { generateMac } from "./generate-mac.js";
import { generateRandom } from "./generate-random.js";
import { getKeyLastUsage } from "./get-key-last-usage.js";
import { getKeyPolicy } from "./get-key-policy.js";
import { getParametersForImport } from "./get-parameters-for-import.js";
import { importKeyMaterial } from "./import-key-material.js";
import { getKeyRotationStatus } from "./get-key-rotation-status.js";
import { getPublicKey } from "./get-public-key.js";
import { listAliases } from "./list-aliases.js";
import { listGrants } from "./list-grants.js";
import { listKeyPolicies } from "./list-key-policies.js";
import { listKeyRotations } from "./list-key-rotations.js";
import { listKeys } from "./list-keys.js";
import { listResourceTags } from "./list-resource-tags.js";
import { listRetirableGrants } from "./list-retirable-grants.js";
import type { Operation } from "./operation.js";
import { byKeyIdOrBlob, dryRunnable } from "./dry-run.js";
import { putKeyPolicy } from "./put-key-policy.js";
import { reEncrypt } from "./re-encrypt.js";
import { retireGrant } from "./retire-grant.js";
import { revokeGrant } from "./revoke-grant.js";
import { rotateKeyOnDemand } from "./rotate-key-on-demand.js";
import { scheduleKeyDeletion } from "./schedule-key-deletion.js";
import { sign } from "./sign.js";
import { tagResource } from "./tag-resource.js";
import { untagResource } from "./untag-resource.js";
import { updateAlias } from "./update-alias.js";
import { updateKeyDescription } from "./update-key-description.js";
import { verify } from "./verify.js";
import { verifyMac } from "./verify-mac.js";

/**
 * Every `TrentService.<Operation>` this service answers, by AWS operation name. This table is the
 * only way from a client-supplied `X-Amz-Target` to code: a function is never picked by
 * reflecting on a client-supplied name, and `Object.hasOwn` keeps `__proto__` and the like out.
 */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CancelKeyDeletion: cancelKeyDeletion,
  CreateAlias: createAlias,
  CreateGrant: dryRunnable(createGrant, "CreateGrant"),
  CreateKey: createKey,
  Decapsulate: dryRunnable(decapsulate, "Decapsulate"),
  Decrypt: dryRunnable(decrypt, "Decrypt", byKeyIdOrBlob),
  DeleteAlias: deleteAlias,
  DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
  DeriveSharedSecret: dryRunnable(deriveSharedSecret, "DeriveSharedSecret"),
  DescribeKey: describeKey,
  DisableKey: disableKey,
  DisableKeyRotation: disableKeyRotation,
  EnableKey: enableKey,
  EnableKeyRotation: enableKeyRotation,
  Encapsulate: dryRunnable(encapsulate, "Encapsulate"),
  Encrypt: dryRunnable(encrypt, "Encrypt"),
  GenerateDataKey: dryRunnable(generateDataKey, "GenerateDataKey"),
  GenerateDataKeyPair: dryRunnable(generateDataKeyPair, "GenerateDataKeyPair"),
  GenerateDataKeyPairWithoutPlaintext: dryRunnable(
    generateDataKeyPairWithoutPlaintext,
    "GenerateDataKeyPairWithoutPlaintext",
  ),
  GenerateDataKeyWithoutPlaintext: dryRunnable(generateDataKeyWithoutPlaintext, "GenerateDataKeyWithoutPlaintext"),
  GenerateMac: dryRunnable(generateMac, "GenerateMac"),
  GenerateRandom: generateRandom,
  GetKeyLastUsage: getKeyLastUsage,
  GetKeyPolicy: getKeyPolicy,
  GetParametersForImport: getParametersForImport,
  GetKeyRotationStatus: getKeyRotationStatus,
  GetPublicKey: getPublicKey,
  ImportKeyMaterial: importKeyMaterial,
  ListAliases: listAliases,
  ListGrants: listGrants,
  ListKeyPolicies: listKeyPolicies,
  ListKeyRotations: listKeyRotations,
  ListKeys: listKeys,
  ListResourceTags: listResourceTags,
  ListRetirableGrants: listRetirableGrants,
  PutKeyPolicy: putKeyPolicy,
  ReEncrypt: dryRunnable(reEncrypt, "ReEncryptTo", (m) => m.requiredString("DestinationKeyId")),
  RetireGrant: retireGrant,
  RevokeGrant: dryRunnable(revokeGrant, "RevokeGrant"),
  RotateKeyOnDemand: rotateKeyOnDemand,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  Sign: dryRunnable(sign, "Sign"),
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateAlias: updateAlias,
  UpdateKeyDescription: updateKeyDescription,
  Verify: dryRunnable(verify, "Verify"),
  VerifyMac: dryRunnable(verifyMac, "VerifyMac"),
};

/** The operation named `name`, or undefined. Own properties only: `constructor` or `__proto__` name nothing. */
export function lookupOperation(name: string): Operation | undefined {
  return Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
}
