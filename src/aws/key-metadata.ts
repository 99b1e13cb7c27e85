import type { CoreDeps } from "../core/deps.js";
import { keyArn } from "../core/keys/key-id.js";
import type { KeyRecord } from "../domain/types.js";
import { signingAlgorithmsFor } from "../crypto/signing.js";
import { awsKeySpec } from "./enums.js";
import { epochSeconds, type JsonObject } from "./json.js";

/** The encryption algorithms each encrypting spec offers, as AWS lists them. */
export function encryptionAlgorithmsFor(key: Pick<KeyRecord, "spec" | "usage">): string[] {
  if (key.usage !== "ENCRYPT_DECRYPT") return [];
  return key.spec === "AES_256" ? ["SYMMETRIC_DEFAULT"] : ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
}

/**
 * AWS's `KeyMetadata` for a core key. Every key here is a customer-managed, single-region key
 * whose material KMS generated (`Origin: AWS_KMS`), so those members are constant. `KeyId` is the
 * bare id and `Arn` the ARN, as AWS returns them; the algorithm lists appear only for the usage
 * they belong to, as in AWS's responses.
 */
export function keyMetadata(deps: Pick<CoreDeps, "arn">, key: KeyRecord): JsonObject {
  const spec = awsKeySpec(key.spec);
  const encryption = encryptionAlgorithmsFor(key);
  return {
    AWSAccountId: deps.arn.accountId,
    KeyId: key.id,
    Arn: keyArn(deps, key.id),
    CreationDate: epochSeconds(key.createdAt),
    Enabled: key.state === "Enabled",
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: key.state,
    ...(key.deletionAt ? { DeletionDate: epochSeconds(key.deletionAt) } : {}),
    Origin: "AWS_KMS",
    KeyManager: "CUSTOMER",
    CustomerMasterKeySpec: spec,
    KeySpec: spec,
    ...(encryption.length > 0 ? { EncryptionAlgorithms: encryption } : {}),
    ...(key.usage === "SIGN_VERIFY" ? { SigningAlgorithms: signingAlgorithmsFor(key.spec) } : {}),
    ...(key.usage === "GENERATE_VERIFY_MAC" ? { MacAlgorithms: ["HMAC_SHA_256"] } : {}),
    MultiRegion: false,
  };
}
