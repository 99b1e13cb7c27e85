import { generateKeyMaterial } from "../../crypto/key-material.js";
import type { CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import type { VersionMaterial } from "./material-cache.js";
import type { KeyRecord, KeySpec, KeyVersionRecord, RotationType } from "../../domain/types.js";

/**
 * Makes a new version of a key: fresh material from `src/crypto`, stored only wrapped under the
 * root key with the key id and version id bound into the AAD. The plaintext secret is zeroed
 * before this returns. Generation happens before any transaction opens, so a slow RSA key never
 * holds a row lock. `rotationType` is null for a key's initial version.
 */
export async function newVersion(
  deps: Pick<CoreDeps, "keyring" | "keyPairs" | "random" | "newId" | "clock">,
  keyId: string,
  spec: KeySpec,
  rotationType: RotationType | null,
  signal?: AbortSignal,
): Promise<KeyVersionRecord> {
  const versionId = deps.newId();
  const material = await generateKeyMaterial(spec, deps.keyPairs, deps.random, signal);
  try {
    return {
      keyId,
      versionId,
      createdAt: deps.clock(),
      wrappedMaterial: await deps.keyring.wrap(keyId, versionId, material.secret),
      publicKey: material.publicKey,
      rotationType,
    };
  } finally {
    material.secret.fill(0);
  }
}

/**
 * The unwrapped material of one version, through the short-lived cache. Callers must use the
 * returned secret synchronously (no `await` in between): cache eviction zeroes it.
 */
export async function versionMaterial(
  deps: Pick<CoreDeps, "store" | "keyring" | "materialCache">,
  key: KeyRecord,
  versionId: string,
): Promise<VersionMaterial> {
  const cached = deps.materialCache.get(key.id, versionId);
  if (cached) return cached;
  const version = await deps.store.getVersion(key.id, versionId);
  if (!version) {
    throw new KmsError("NotFound", `Key version '${versionId}' of key '${key.id}' does not exist.`);
  }
  if (version.wrappedMaterial.length === 0) {
    throw new KmsError("InvalidState", `The imported key material of key '${key.id}' for this version is not present.`);
  }
  const again = deps.materialCache.get(key.id, versionId);
  if (again) return again;
  const material = {
    secret: await deps.keyring.unwrap(key.id, versionId, version.wrappedMaterial),
    publicKey: version.publicKey,
  };
  return deps.materialCache.set(key.id, versionId, material);
}
