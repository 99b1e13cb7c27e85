import type { CallContext, CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import { keyFor } from "../access/authorized-key.js";
import { parsePolicy } from "../../security/policy.js";
import { initialKeyPolicy } from "../access/key-policies.js";
import { mutateKey } from "./mutate-key.js";
import { checkTags } from "./tags.js";
import type { KeyRecord, KeySpec, KeyUsage, KeyVersionRecord, Page } from "../../domain/types.js";
import type { KeyOrigin } from "../../domain/key-import.js";
import { checkLength, pageSize } from "../validate.js";
import { newVersion } from "./versions.js";
import { DEFAULT_KEY_SPEC, KEY_SPEC_NAMES, specRow } from "../../domain/specs.js";
import { requireSpecAvailable } from "../../crypto/post-quantum.js";

/** CreateKey input; absent spec means AES_256, absent usage the spec's default. */
export interface CreateKeyInput {
  spec?: KeySpec | undefined;
  usage?: KeyUsage | undefined;
  description?: string | undefined;
  tags?: Record<string, string> | undefined;
  /** A key policy document; absent gives the creating principal full access. */
  policy?: string | undefined;
  /** `EXTERNAL`: the key waits in PendingImport for its material (`core/imports/`). */
  origin?: KeyOrigin | undefined;
}

const MAX_DESCRIPTION = 8192;

/**
 * Creates an Enabled key with its first version, which is both initial and primary; an `EXTERNAL`
 * key is created PendingImport, its first version waiting for imported material.
 */
export async function createKey(deps: CoreDeps, call: CallContext, input: CreateKeyInput): Promise<KeyRecord> {
  const spec = input.spec ?? DEFAULT_KEY_SPEC;
  const allowed = specRow(spec).usages;
  const usage = input.usage ?? allowed[0]!;
  if (!allowed.includes(usage)) {
    const valid = KEY_SPEC_NAMES.map((s) => `${s}: ${specRow(s).usages.join("/")}`).join("; ");
    throw new KmsError("InvalidArgument", `Key usage ${usage} is not valid for key spec ${spec}. Valid: ${valid}.`);
  }
  requireSpecAvailable(spec);
  const description = input.description ?? "";
  checkLength("description", description, 0, MAX_DESCRIPTION);
  const tags = { ...(input.tags ?? {}) };
  checkTags(tags);
  if (input.policy) parsePolicy(input.policy);

  const id = deps.newId();
  call.keyId = id;
  const external = input.origin === "EXTERNAL";
  const version = external ? emptyVersion(id, deps) : await newVersion(deps, id, spec, null, call.signal);
  const key: KeyRecord = {
    id,
    description,
    spec,
    usage,
    state: external ? "PendingImport" : "Enabled",
    createdAt: version.createdAt,
    deletionAt: null,
    initialVersionId: version.versionId,
    primaryVersionId: version.versionId,
    rotationEnabled: false,
    rotationPeriodDays: null,
    nextRotationAt: null,
    tags,
    origin: input.origin ?? "AWS_KMS",
  };
  await deps.store.transaction(async (tx) => {
    await tx.insertKey(key);
    await tx.insertVersion(version);
    const policy = input.policy
      ? { keyId: id, policy: input.policy, updatedAt: deps.clock() }
      : initialKeyPolicy(deps, id, call.principal.name);
    await tx.putKeyPolicy(policy);
  });
  return key;
}

/** The initial version of an `EXTERNAL` key: no material until the first import. */
function emptyVersion(keyId: string, deps: Pick<CoreDeps, "newId" | "clock">): KeyVersionRecord {
  return {
    keyId,
    versionId: deps.newId(),
    createdAt: deps.clock(),
    wrappedMaterial: Buffer.alloc(0),
    publicKey: null,
    rotationType: null,
    materialDigest: null,
  };
}

/** Any key in any state. */
export function describeKey(deps: CoreDeps, call: CallContext, keyRef: string): Promise<KeyRecord> {
  return keyFor(deps, call, keyRef, "DescribeKey");
}

/** Keys in creation order; `token` is opaque. */
export function listKeys(
  deps: CoreDeps,
  _call: CallContext,
  limit: number | undefined,
  token: string | undefined,
): Promise<Page<KeyRecord>> {
  return deps.store.listKeys(pageSize(limit), token || null);
}

export async function updateKeyDescription(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
  description: string,
): Promise<KeyRecord> {
  checkLength("description", description, 0, MAX_DESCRIPTION);
  return mutateKey(deps, call, keyRef, "UpdateKeyDescription", (key) => ({ ...key, description }));
}
