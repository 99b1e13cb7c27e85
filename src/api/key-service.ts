import { createAlias, deleteAlias, listAliases, updateAlias } from "../core/aliases/aliases.js";
import type { CoreDeps } from "../core/deps.js";
import { cancelKeyDeletion, disableKey, enableKey, scheduleKeyDeletion } from "../core/keys/key-state.js";
import { createGrant, listGrants, retireGrant, revokeGrant } from "../core/access/grants.js";
import { getKeyPolicy, putKeyPolicy } from "../core/access/key-policies.js";
import { createKey, describeKey, listKeys, updateKeyDescription } from "../core/keys/keys.js";
import { listKeyVersions, rotateKey, updateRotationPolicy } from "../core/rotation/rotation.js";
import { tagKey, untagKey } from "../core/keys/tags.js";
import { setMinDecryptionVersion, trimKeyVersions } from "../core/keys/retired-versions.js";
import type * as pb from "../../gen/kms/v1/key_service_pb.js";
import type { CallImpl } from "./wrap-service.js";
import {
  alias,
  grant,
  grantConstraints,
  keyMetadata,
  keyVersion,
  toKeyOrigin,
  toKeySpec,
  toKeyUsage,
} from "./convert.js";
import { keyImportMethods } from "./key-import-service.js";
import type { Call } from "../edge/pipeline.js";

/**
 * `kms.v1.KeyService`: a thin mapper from proto messages to `src/core` and back. No rule lives
 * here; every decision is core's, so the AWS adapter behaves the same.
 */
export function createKeyService(deps: CoreDeps): CallImpl<typeof pb.KeyService> {
  const meta = (key: Parameters<typeof keyMetadata>[1]) => ({ key: keyMetadata(deps, key) });
  return {
    ...keyImportMethods(deps),
    async createKey(req: pb.CreateKeyRequest, call: Call) {
      const key = await createKey(deps, call, {
        spec: toKeySpec(req.keySpec),
        usage: toKeyUsage(req.keyUsage),
        description: req.description,
        tags: req.tags,
        policy: req.policy || undefined,
        origin: toKeyOrigin(req.origin),
      });
      return meta(key);
    },
    async describeKey(req: pb.DescribeKeyRequest, call: Call) {
      return meta(await describeKey(deps, call, req.keyId));
    },
    async listKeys(req: pb.ListKeysRequest, call: Call) {
      const page = await listKeys(deps, call, req.pageSize, req.pageToken);
      return { keys: page.items.map((k) => keyMetadata(deps, k)), nextPageToken: page.nextToken ?? "" };
    },
    async updateKeyDescription(req: pb.UpdateKeyDescriptionRequest, call: Call) {
      return meta(await updateKeyDescription(deps, call, req.keyId, req.description));
    },
    async enableKey(req: pb.EnableKeyRequest, call: Call) {
      return meta(await enableKey(deps, call, req.keyId));
    },
    async disableKey(req: pb.DisableKeyRequest, call: Call) {
      return meta(await disableKey(deps, call, req.keyId));
    },
    async scheduleKeyDeletion(req: pb.ScheduleKeyDeletionRequest, call: Call) {
      return meta(await scheduleKeyDeletion(deps, call, req.keyId, req.pendingWindowDays));
    },
    async cancelKeyDeletion(req: pb.CancelKeyDeletionRequest, call: Call) {
      return meta(await cancelKeyDeletion(deps, call, req.keyId));
    },
    async rotateKey(req: pb.RotateKeyRequest, call: Call) {
      const { key, versionId } = await rotateKey(deps, call, req.keyId);
      return { ...meta(key), keyVersionId: versionId };
    },
    async setMinDecryptionVersion(req: pb.SetMinDecryptionVersionRequest, call: Call) {
      return meta(await setMinDecryptionVersion(deps, call, req.keyId, req.keyVersionId));
    },
    async trimKeyVersions(req: pb.TrimKeyVersionsRequest, call: Call) {
      const { key, trimmed } = await trimKeyVersions(deps, call, req.keyId);
      return { ...meta(key), trimmedKeyVersionIds: trimmed };
    },
    async listKeyVersions(req: pb.ListKeyVersionsRequest, call: Call) {
      const page = await listKeyVersions(deps, call, req.keyId, req.pageSize, req.pageToken);
      return { keyVersions: page.items.map(keyVersion), nextPageToken: page.nextToken ?? "" };
    },
    async updateRotationPolicy(req: pb.UpdateRotationPolicyRequest, call: Call) {
      return meta(await updateRotationPolicy(deps, call, req.keyId, req.automaticRotation, req.rotationPeriodDays));
    },
    async createAlias(req: pb.CreateAliasRequest, call: Call) {
      return { alias: alias(deps, await createAlias(deps, call, req.aliasName, req.keyId)) };
    },
    async updateAlias(req: pb.UpdateAliasRequest, call: Call) {
      return { alias: alias(deps, await updateAlias(deps, call, req.aliasName, req.keyId)) };
    },
    async deleteAlias(req: pb.DeleteAliasRequest, call: Call) {
      await deleteAlias(deps, call, req.aliasName);
      return {};
    },
    async listAliases(req: pb.ListAliasesRequest, call: Call) {
      const page = await listAliases(deps, call, req.keyId || undefined, req.pageSize, req.pageToken);
      return { aliases: page.items.map((a) => alias(deps, a)), nextPageToken: page.nextToken ?? "" };
    },
    async tagKey(req: pb.TagKeyRequest, call: Call) {
      return meta(await tagKey(deps, call, req.keyId, req.tags));
    },
    async untagKey(req: pb.UntagKeyRequest, call: Call) {
      return meta(await untagKey(deps, call, req.keyId, req.tagKeys));
    },
    async getKeyPolicy(req: pb.GetKeyPolicyRequest, call: Call) {
      return getKeyPolicy(deps, call, req.keyId);
    },
    async putKeyPolicy(req: pb.PutKeyPolicyRequest, call: Call) {
      return { keyId: await putKeyPolicy(deps, call, req.keyId, req.policy) };
    },
    async createGrant(req: pb.CreateGrantRequest, call: Call) {
      return createGrant(deps, call, {
        keyRef: req.keyId,
        grantee: req.granteePrincipal,
        operations: req.operations,
        retiringPrincipal: req.retiringPrincipal || undefined,
        constraints: grantConstraints(req.constraints),
        name: req.name || undefined,
        grantTokens: req.grantTokens,
      });
    },
    async listGrants(req: pb.ListGrantsRequest, call: Call) {
      const page = await listGrants(
        deps,
        call,
        req.keyId,
        { grantId: req.grantId || undefined, grantee: req.granteePrincipal || undefined },
        req.pageSize,
        req.pageToken,
      );
      return { grants: page.items.map(grant), nextPageToken: page.nextToken ?? "" };
    },
    async retireGrant(req: pb.RetireGrantRequest, call: Call) {
      await retireGrant(deps, call, {
        grantToken: req.grantToken || undefined,
        keyRef: req.keyId || undefined,
        grantId: req.grantId || undefined,
      });
      return {};
    },
    async revokeGrant(req: pb.RevokeGrantRequest, call: Call) {
      await revokeGrant(deps, call, req.keyId, req.grantId);
      return {};
    },
  };
}
