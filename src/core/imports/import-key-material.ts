import { timingSafeEqual } from "node:crypto";
import { importedMaterial, materialDigest } from "../../crypto/imported-material.js";
import { unwrapImportedMaterial } from "../../crypto/import-wrapping.js";
import { KmsError } from "../../domain/errors.js";
import type { ExpirationModel, ImportType } from "../../domain/key-import.js";
import type { KeyRecord, KeyVersionRecord } from "../../domain/types.js";
import type { KeyStoreTx } from "../../store/key-store.js";
import { keyFor } from "../access/authorized-key.js";
import type { CallContext, CoreDeps } from "../deps.js";
import { allVersions } from "../keys/all-versions.js";
import type { KeyMaterial } from "../../crypto/key-material.js";
import { requireExternal, wrappingModulusBits } from "./import-parameters.js";
import { openImportToken } from "./import-token.js";

const DAY_MS = 86_400_000;
/** AWS KMS accepts a `ValidTo` up to 365 days ahead. */
const MAX_VALID_DAYS = 365;

export interface ImportKeyMaterialInput {
  keyRef: string;
  importToken: Buffer;
  encryptedKeyMaterial: Buffer;
  /** Absent: `KEY_MATERIAL_EXPIRES` when `validTo` is given, else `KEY_MATERIAL_DOES_NOT_EXPIRE`. */
  expirationModel?: ExpirationModel | undefined;
  validTo?: Date | undefined;
  /** Absent: `EXISTING_KEY_MATERIAL`. */
  importType?: ImportType | undefined;
}

/** The key after an import, and the version whose material arrived. */
export interface ImportResult {
  key: KeyRecord;
  versionId: string;
}

/** AWS's rules for `ExpirationModel` and `ValidTo`. */
function expiry(deps: Pick<CoreDeps, "clock">, input: ImportKeyMaterialInput) {
  const model = input.expirationModel ?? (input.validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE");
  if (model === "KEY_MATERIAL_DOES_NOT_EXPIRE") {
    if (input.validTo)
      throw new KmsError("InvalidArgument", "ValidTo must be omitted when the key material does not expire.");
    return { model, validTo: null };
  }
  const now = deps.clock().getTime();
  if (!input.validTo) throw new KmsError("InvalidArgument", "ValidTo is required when the key material expires.");
  if (input.validTo.getTime() <= now || input.validTo.getTime() > now + MAX_VALID_DAYS * DAY_MS) {
    throw new KmsError("InvalidArgument", `ValidTo must be in the future and at most ${MAX_VALID_DAYS} days ahead.`);
  }
  return { model, validTo: input.validTo };
}

/**
 * `ImportKeyMaterial`: opens the material with the token's wrapping key, checks it against the
 * key's spec, and stores it wrapped under the root key like generated material. Re-importing
 * (`EXISTING_KEY_MATERIAL`) must bring the very material a version had — compared through its
 * digest, in constant time — else `IncorrectKeyMaterial`; the first import into a key defines it.
 * `NEW_KEY_MATERIAL` (AES keys that already have material) stores a version that the next
 * `RotateKeyOnDemand` makes primary. A PendingImport key becomes Enabled when its primary version
 * has material again.
 */
export async function importKeyMaterial(
  deps: CoreDeps,
  call: CallContext,
  input: ImportKeyMaterialInput,
): Promise<ImportResult> {
  const found = await keyFor(deps, call, input.keyRef, "ImportKeyMaterial");
  requireExternal(found);
  const terms = expiry(deps, input);
  const token = await openImportToken(deps, found.id, input.importToken);
  let plain: Buffer | undefined;
  let material: KeyMaterial | undefined;
  try {
    plain = unwrapImportedMaterial(
      token.algorithm,
      { privateKeyDer: token.privateKeyDer, modulusBits: wrappingModulusBits(token.wrappingKeySpec) },
      input.encryptedKeyMaterial,
    );
    material = importedMaterial(found.spec, plain);
    const result = await deps.store.transaction(async (tx) => {
      const key = await tx.lockKey(found.id);
      if (!key) throw new KmsError("NotFound", `Key '${found.id}' does not exist.`);
      requireExternal(key);
      const imported = material as KeyMaterial;
      const versionId =
        input.importType === "NEW_KEY_MATERIAL"
          ? await storeNewMaterial(deps, tx, key, imported)
          : await restoreMaterial(deps, tx, key, imported);
      const primaryRestored = versionId === key.primaryVersionId;
      const next: KeyRecord = {
        ...key,
        state: key.state === "PendingImport" && primaryRestored ? "Enabled" : key.state,
        expirationModel: terms.model,
        materialExpiresAt: terms.validTo,
        pendingVersionId: input.importType === "NEW_KEY_MATERIAL" ? versionId : (key.pendingVersionId ?? null),
      };
      await tx.updateKey(next);
      return { key: next, versionId };
    });
    deps.materialCache.invalidate(found.id);
    return result;
  } finally {
    token.privateKeyDer.fill(0);
    plain?.fill(0);
    material?.secret.fill(0);
  }
}

async function sealed(
  deps: Pick<CoreDeps, "keyring">,
  version: KeyVersionRecord,
  material: KeyMaterial,
): Promise<KeyVersionRecord> {
  return {
    ...version,
    wrappedMaterial: await deps.keyring.wrap(version.keyId, version.versionId, material.secret),
    publicKey: material.publicKey,
    materialDigest: materialDigest(version.keyId, version.versionId, material.secret),
  };
}

/** The first import defines the primary version's material; later ones must match a version's digest. */
async function restoreMaterial(deps: CoreDeps, tx: KeyStoreTx, key: KeyRecord, material: KeyMaterial): Promise<string> {
  const versions = await allVersions(tx, key.id);
  const primary = versions.find((v) => v.versionId === key.primaryVersionId);
  if (!primary) throw new KmsError("NotFound", `Key '${key.id}' has no primary version.`);
  const target = primary.materialDigest
    ? versions.find(
        (v) => v.materialDigest && sameDigest(v.materialDigest, materialDigest(key.id, v.versionId, material.secret)),
      )
    : primary;
  if (!target) {
    throw new KmsError(
      "IncorrectKeyMaterial",
      `The key material is not the material previously imported into key '${key.id}'.`,
    );
  }
  await tx.setVersionMaterial(await sealed(deps, target, material));
  return target.versionId;
}

/** New material for the next on-demand rotation of an AES key that already has material. */
async function storeNewMaterial(
  deps: CoreDeps,
  tx: KeyStoreTx,
  key: KeyRecord,
  material: KeyMaterial,
): Promise<string> {
  if (key.spec !== "AES_256") {
    throw new KmsError("UnsupportedOperation", "Only symmetric encryption keys take new key material for rotation.");
  }
  if (key.state === "PendingImport") {
    throw new KmsError("InvalidState", `Key '${key.id}' has no current key material; import it first.`);
  }
  if (key.pendingVersionId) {
    throw new KmsError("InvalidState", `Key '${key.id}' already has key material pending rotation.`);
  }
  const versions = await allVersions(tx, key.id);
  if (
    versions.some(
      (v) => v.materialDigest && sameDigest(v.materialDigest, materialDigest(key.id, v.versionId, material.secret)),
    )
  ) {
    throw new KmsError("IncorrectKeyMaterial", "New key material must differ from the key's existing material.");
  }
  const last = versions.at(-1);
  const createdAt = new Date(Math.max(deps.clock().getTime(), (last?.createdAt.getTime() ?? 0) + 1));
  const version = await sealed(
    deps,
    {
      keyId: key.id,
      versionId: deps.newId(),
      createdAt,
      wrappedMaterial: Buffer.alloc(0),
      publicKey: null,
      rotationType: "ON_DEMAND",
    },
    material,
  );
  await tx.insertVersion(version);
  return version.versionId;
}

/**
 * Whether `secret` is a version's material: by its digest, or — for material that came without one
 * (a seed file) and is still present — by the material itself.
 */
async function isSameMaterial(
  deps: Pick<CoreDeps, "keyring">,
  version: KeyVersionRecord,
  secret: Buffer,
): Promise<boolean> {
  if (version.materialDigest) {
    return sameDigest(version.materialDigest, materialDigest(version.keyId, version.versionId, secret));
  }
  if (version.wrappedMaterial.length === 0) return false;
  const existing = await deps.keyring.unwrap(version.keyId, version.versionId, version.wrappedMaterial);
  try {
    return existing.length === secret.length && timingSafeEqual(existing, secret);
  } finally {
    existing.fill(0);
  }
}

function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
