import type { CoreDeps } from "../core/deps.js";
import { keyArn } from "../core/keys/key-id.js";
import type { KeyRecord } from "../domain/types.js";
import {
  ENCAPSULATION_ALGORITHMS,
  ENCRYPTION_ALGORITHMS,
  KEY_AGREEMENT_ALGORITHMS,
  KEY_STATES,
  KEY_USAGES,
  MAC_ALGORITHMS,
  SIGNING_ALGORITHMS,
  type WireNames,
} from "../domain/algorithms.js";
import { algorithmsOf } from "../domain/specs.js";
import { awsKeySpec, awsLegacyKeySpec, toAws } from "./enums.js";
import { epochSeconds, type JsonObject } from "./json.js";

/**
 * AWS's `KeyMetadata` for a core key. Every key here is a customer-managed, single-region key;
 * its material was generated here (`Origin: AWS_KMS`) or seeded (`EXTERNAL`). `KeyId` is the
 * bare id and `Arn` the ARN, as AWS returns them; the algorithm lists appear only for the usage
 * they belong to, as in AWS's responses.
 */
export function keyMetadata(deps: Pick<CoreDeps, "arn">, key: KeyRecord): JsonObject {
  const spec = awsKeySpec(key.spec);
  const algorithms = algorithmsOf(key);
  return {
    AWSAccountId: deps.arn.accountId,
    KeyId: key.id,
    Arn: keyArn(deps, key.id),
    CreationDate: epochSeconds(key.createdAt),
    Enabled: key.state === "Enabled",
    Description: key.description,
    KeyUsage: toAws(KEY_USAGES, key.usage),
    KeyState: toAws(KEY_STATES, key.state),
    ...(key.deletionAt ? { DeletionDate: epochSeconds(key.deletionAt) } : {}),
    Origin: key.origin ?? "AWS_KMS",
    ...(key.origin === "EXTERNAL" && key.expirationModel ? { ExpirationModel: key.expirationModel } : {}),
    ...(key.materialExpiresAt ? { ValidTo: epochSeconds(key.materialExpiresAt) } : {}),
    ...(key.state === "PendingImport" ? {} : { CurrentKeyMaterialId: key.primaryVersionId }),
    KeyManager: "CUSTOMER",
    ...awsLegacyKeySpec(key.spec),
    KeySpec: spec,
    ...awsList("EncryptionAlgorithms", ENCRYPTION_ALGORITHMS, algorithms.encryption),
    ...awsList("SigningAlgorithms", SIGNING_ALGORITHMS, algorithms.signing),
    ...awsList("MacAlgorithms", MAC_ALGORITHMS, algorithms.mac),
    ...awsList("KeyAgreementAlgorithms", KEY_AGREEMENT_ALGORITHMS, algorithms.agreement),
    ...awsList("EncapsulationAlgorithms", ENCAPSULATION_ALGORITHMS, algorithms.encapsulation),
    MultiRegion: false,
  };
}

/** `{ member: [AWS names] }` when the key has algorithms of that kind; AWS omits empty lists. */
function awsList<T extends Record<string, WireNames>>(member: string, table: T, names: (keyof T)[]): JsonObject {
  return names.length > 0 ? { [member]: names.map((n) => toAws(table, n)) } : {};
}
