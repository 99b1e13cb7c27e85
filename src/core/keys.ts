import type { CallContext, CoreDeps } from "./deps.js";
import { KmsError } from "./errors.js";
import { resolveKey } from "./key-id.js";
import { mutateKey } from "./mutate-key.js";
import { USAGES_BY_SPEC } from "./key-rules.js";
import { checkTags } from "./tags.js";
import type { KeyRecord, KeySpec, KeyUsage, Page } from "./types.js";
import { checkLength, pageSize } from "./validate.js";
import { newVersion } from "./versions.js";

/** CreateKey input; absent spec means AES_256, absent usage the spec's default. */
export interface CreateKeyInput {
  spec?: KeySpec | undefined;
  usage?: KeyUsage | undefined;
  description?: string | undefined;
  tags?: Record<string, string> | undefined;
}

const MAX_DESCRIPTION = 8192;

/** Creates an Enabled key with its first version, which is both initial and primary. */
export async function createKey(deps: CoreDeps, input: CreateKeyInput, call?: CallContext): Promise<KeyRecord> {
  const spec = input.spec ?? "AES_256";
  const allowed = USAGES_BY_SPEC[spec];
  const usage = input.usage ?? allowed[0]!;
  if (!allowed.includes(usage)) {
    const valid = Object.entries(USAGES_BY_SPEC)
      .map(([s, us]) => `${s}: ${us.join("/")}`)
      .join("; ");
    throw new KmsError("InvalidArgument", `Key usage ${usage} is not valid for key spec ${spec}. Valid: ${valid}.`);
  }
  const description = input.description ?? "";
  checkLength("description", description, 0, MAX_DESCRIPTION);
  const tags = { ...(input.tags ?? {}) };
  checkTags(tags);

  const id = deps.newId();
  const version = await newVersion(deps, id, spec, call?.signal);
  const key: KeyRecord = {
    id,
    description,
    spec,
    usage,
    state: "Enabled",
    createdAt: version.createdAt,
    deletionAt: null,
    initialVersionId: version.versionId,
    primaryVersionId: version.versionId,
    rotationEnabled: false,
    rotationPeriodDays: null,
    nextRotationAt: null,
    tags,
  };
  await deps.store.transaction(async (tx) => {
    await tx.insertKey(key);
    await tx.insertVersion(version);
  });
  return key;
}

/** Any key in any state. */
export function describeKey(deps: CoreDeps, keyRef: string): Promise<KeyRecord> {
  return resolveKey(deps, keyRef);
}

/** Keys in creation order; `token` is opaque. */
export function listKeys(
  deps: CoreDeps,
  limit: number | undefined,
  token: string | undefined,
): Promise<Page<KeyRecord>> {
  return deps.store.listKeys(pageSize(limit), token || null);
}

export async function updateKeyDescription(deps: CoreDeps, keyRef: string, description: string): Promise<KeyRecord> {
  checkLength("description", description, 0, MAX_DESCRIPTION);
  return mutateKey(deps, keyRef, (key) => ({ ...key, description }));
}
