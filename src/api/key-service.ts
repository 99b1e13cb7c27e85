import { createAlias, deleteAlias, listAliases, updateAlias } from "../core/aliases.js";
import type { CoreDeps } from "../core/deps.js";
import { cancelKeyDeletion, disableKey, enableKey, scheduleKeyDeletion } from "../core/key-state.js";
import { createKey, describeKey, listKeys, updateKeyDescription } from "../core/keys.js";
import { listKeyVersions, rotateKey, updateRotationPolicy } from "../core/rotation.js";
import { tagKey, untagKey } from "../core/tags.js";
import type * as pb from "../../gen/kms/v1/key_service_pb.js";
import { alias, keyMetadata, keyVersion, toKeySpec, toKeyUsage } from "./convert.js";
import type { Call } from "./wrap-service.js";

/**
 * `kms.v1.KeyService`: a thin mapper from proto messages to `src/core` and back. No rule lives
 * here; every decision is core's, so the AWS adapter behaves the same.
 */
export function createKeyService(deps: CoreDeps) {
  const meta = (key: Parameters<typeof keyMetadata>[1]) => ({ key: keyMetadata(deps, key) });
  return {
    async createKey(req: pb.CreateKeyRequest, call: Call) {
      const key = await createKey(
        deps,
        { spec: toKeySpec(req.keySpec), usage: toKeyUsage(req.keyUsage), description: req.description, tags: req.tags },
        call,
      );
      return meta(key);
    },
    async describeKey(req: pb.DescribeKeyRequest) {
      return meta(await describeKey(deps, req.keyId));
    },
    async listKeys(req: pb.ListKeysRequest) {
      const page = await listKeys(deps, req.pageSize, req.pageToken);
      return { keys: page.items.map((k) => keyMetadata(deps, k)), nextPageToken: page.nextToken ?? "" };
    },
    async updateKeyDescription(req: pb.UpdateKeyDescriptionRequest) {
      return meta(await updateKeyDescription(deps, req.keyId, req.description));
    },
    async enableKey(req: pb.EnableKeyRequest) {
      return meta(await enableKey(deps, req.keyId));
    },
    async disableKey(req: pb.DisableKeyRequest) {
      return meta(await disableKey(deps, req.keyId));
    },
    async scheduleKeyDeletion(req: pb.ScheduleKeyDeletionRequest) {
      return meta(await scheduleKeyDeletion(deps, req.keyId, req.pendingWindowDays));
    },
    async cancelKeyDeletion(req: pb.CancelKeyDeletionRequest) {
      return meta(await cancelKeyDeletion(deps, req.keyId));
    },
    async rotateKey(req: pb.RotateKeyRequest, call: Call) {
      const { key, versionId } = await rotateKey(deps, req.keyId, call);
      return { ...meta(key), keyVersionId: versionId };
    },
    async listKeyVersions(req: pb.ListKeyVersionsRequest) {
      const page = await listKeyVersions(deps, req.keyId, req.pageSize, req.pageToken);
      return { keyVersions: page.items.map(keyVersion), nextPageToken: page.nextToken ?? "" };
    },
    async updateRotationPolicy(req: pb.UpdateRotationPolicyRequest) {
      return meta(await updateRotationPolicy(deps, req.keyId, req.automaticRotation, req.rotationPeriodDays));
    },
    async createAlias(req: pb.CreateAliasRequest) {
      return { alias: alias(deps, await createAlias(deps, req.aliasName, req.keyId)) };
    },
    async updateAlias(req: pb.UpdateAliasRequest) {
      return { alias: alias(deps, await updateAlias(deps, req.aliasName, req.keyId)) };
    },
    async deleteAlias(req: pb.DeleteAliasRequest) {
      await deleteAlias(deps, req.aliasName);
      return {};
    },
    async listAliases(req: pb.ListAliasesRequest) {
      const page = await listAliases(deps, req.keyId || undefined, req.pageSize, req.pageToken);
      return { aliases: page.items.map((a) => alias(deps, a)), nextPageToken: page.nextToken ?? "" };
    },
    async tagKey(req: pb.TagKeyRequest) {
      return meta(await tagKey(deps, req.keyId, req.tags));
    },
    async untagKey(req: pb.UntagKeyRequest) {
      return meta(await untagKey(deps, req.keyId, req.tagKeys));
    },
  };
}
