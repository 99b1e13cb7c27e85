import { createHash } from "node:crypto";
import { createPrincipal } from "../core/access/principals.js";
import type { CoreDeps } from "../core/deps.js";
import { isAliasName } from "../core/keys/key-id.js";
import { KmsError } from "../domain/errors.js";
import type { KeyRecord, KeyVersionRecord } from "../domain/types.js";
import { parsePolicy } from "../security/policy.js";
import { type SeedKey, type SeedPlan, SeedError } from "./seed-file.js";

/** Runs `fn`, turning an invalid-input refusal into a {@link SeedError} that says where. */
function asSeedError<T>(at: string, fn: () => T): T {
  const rethrow = (err: unknown): never => {
    throw err instanceof KmsError && err.code === "InvalidArgument" ? new SeedError(`${at}: ${err.message}`) : err;
  };
  try {
    const out = fn();
    return (out instanceof Promise ? out.catch(rethrow) : out) as T;
  } catch (err) {
    return rethrow(err);
  }
}

/** What a seeding pass did; names only, never material or credentials. */
export interface SeedOutcome {
  createdKeys: string[];
  existingKeys: string[];
  createdAliases: string[];
  createdPrincipals: string[];
}

/**
 * The version id of a seeded key's `index`-th backing key: a UUID derived from the key id and the
 * position (SHA-256, formatted as an RFC 9562 version-8 UUID). Self-describing ciphertexts name
 * their version, so the same seed file gives the same version ids on every machine and every
 * restart, and a ciphertext made on one opens on another.
 */
export function seededVersionId(keyId: string, index: number): string {
  const h = createHash("sha256").update(`kms-seed-version\0${keyId}\0${index}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function seededRecords(
  deps: Pick<CoreDeps, "keyring" | "clock">,
  k: SeedKey,
): Promise<{ key: KeyRecord; versions: KeyVersionRecord[] }> {
  const now = deps.clock().getTime();
  const versions = await Promise.all(
    k.secrets.map(async (secret, i) => {
      const versionId = seededVersionId(k.id, i);
      return {
        keyId: k.id,
        versionId,
        createdAt: new Date(now + i),
        wrappedMaterial: await deps.keyring.wrap(k.id, versionId, secret),
        publicKey: k.publicKey,
        rotationType: i === 0 ? null : ("ON_DEMAND" as const),
      };
    }),
  );
  const key: KeyRecord = {
    id: k.id,
    description: k.description,
    spec: k.spec,
    usage: k.usage,
    state: k.enabled ? "Enabled" : "Disabled",
    createdAt: new Date(now),
    deletionAt: null,
    initialVersionId: versions[0]!.versionId,
    primaryVersionId: versions.at(-1)!.versionId,
    rotationEnabled: k.nextRotation !== null,
    rotationPeriodDays: k.nextRotation ? 365 : null,
    nextRotationAt: k.nextRotation,
    tags: k.tags,
    origin: "EXTERNAL",
  };
  return { key, versions };
}

/**
 * Applies a parsed seed file, idempotently: as local-kms does, a key, alias or principal that
 * already exists is left exactly as it is (never overwritten or amended), so restarting with the
 * same file changes nothing. Seeded material is imported material (`Origin: EXTERNAL`): whoever
 * holds the file holds the keys, so seed only test and development keys.
 *
 * Everything is checked before anything is written; keys and aliases are written in one
 * transaction. Secrets are zeroed afterwards.
 */
export async function applySeed(
  deps: Pick<CoreDeps, "store" | "keyring" | "clock" | "random">,
  plan: SeedPlan,
): Promise<SeedOutcome> {
  for (const k of plan.keys)
    if (k.policy !== null) asSeedError(`Keys: the Policy of ${k.id}`, () => parsePolicy(k.policy!));
  for (const a of plan.aliases) {
    if (!isAliasName(a.name) || a.name.startsWith("alias/aws/")) {
      throw new SeedError(`Aliases: '${a.name.slice(0, 300)}' is not a valid alias name`);
    }
  }
  const outcome: SeedOutcome = { createdKeys: [], existingKeys: [], createdAliases: [], createdPrincipals: [] };
  try {
    await deps.store.transaction(async (tx) => {
      for (const k of plan.keys) {
        if (await tx.getKey(k.id)) {
          outcome.existingKeys.push(k.id);
          continue;
        }
        const { key, versions } = await seededRecords(deps, k);
        await tx.insertKey(key);
        for (const v of versions) await tx.insertVersion(v);
        if (k.policy !== null) await tx.putKeyPolicy({ keyId: k.id, policy: k.policy, updatedAt: deps.clock() });
        outcome.createdKeys.push(k.id);
      }
      for (const a of plan.aliases) {
        if (await tx.getAlias(a.name)) continue;
        if (!(await tx.getKey(a.keyId)))
          throw new SeedError(`Aliases: ${a.name} names the key ${a.keyId}, which does not exist`);
        const now = deps.clock();
        await tx.insertAlias({ name: a.name, keyId: a.keyId, createdAt: now, updatedAt: now });
        outcome.createdAliases.push(a.name);
      }
    });
  } finally {
    for (const k of plan.keys) for (const s of k.secrets) s.fill(0);
  }
  for (const p of plan.principals) {
    if (await deps.store.getPrincipal(p.name)) continue;
    await asSeedError(`Principals: ${p.name.slice(0, 128)}`, () => createPrincipal(deps, p));
    outcome.createdPrincipals.push(p.name);
  }
  return outcome;
}
