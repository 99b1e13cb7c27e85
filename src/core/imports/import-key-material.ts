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
import { checkLength, invalidField } from "../validate.js";
import { requireExternal, wrappingModulusBits } from "./import-parameters.js";
import { withMaterialStatus } from "./material-status.js";
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
  /** Absent: `EXISTING_KEY_MATERIAL` (a key's first import defines its material either way). */
  importType?: ImportType | undefined;
  /** Re-import into this material (AWS `KeyMaterialId`, our version id); symmetric keys only. */
  keyMaterialId?: string | undefined;
  /** AWS `KeyMaterialDescription`; absent keeps the material's previous one. Symmetric keys only. */
  description?: string | undefined;
}

/** The key after an import, and the version whose material arrived. */
export interface ImportResult {
  key: KeyRecord;
  versionId: string;
}

/** The terms one import sets on its material. */
interface Terms {
  model: ExpirationModel;
  validTo: Date | null;
}

/** AWS's rules for `ExpirationModel` and `ValidTo`. */
function expiry(deps: Pick<CoreDeps, "clock">, input: ImportKeyMaterialInput): Terms {
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

/** AWS's constraints on `KeyMaterialDescription` (0..256 characters of `[a-zA-Z0-9:/_\s.-]`). */
const DESCRIPTION_PATTERN = /^[a-zA-Z0-9:/_\s.-]*$/;

/** The request's own rules, checked before any material is unwrapped. */
function checkRequest(input: ImportKeyMaterialInput): void {
  if (input.description !== undefined) {
    checkLength("keyMaterialDescription", input.description, 0, 256);
    if (!DESCRIPTION_PATTERN.test(input.description)) {
      throw invalidField("keyMaterialDescription", "satisfy regular expression pattern: ^[a-zA-Z0-9:/_\\s.-]+$");
    }
  }
  if (input.keyMaterialId !== undefined && input.importType === "NEW_KEY_MATERIAL") {
    throw new KmsError("InvalidArgument", "KeyMaterialId cannot be specified with ImportType NEW_KEY_MATERIAL.");
  }
}

/** `KeyMaterialId` and `KeyMaterialDescription` are for symmetric encryption keys only, as in AWS KMS. */
function requireSymmetricOptions(key: KeyRecord, input: ImportKeyMaterialInput): void {
  if (key.spec !== "AES_256" && (input.keyMaterialId !== undefined || input.description !== undefined)) {
    throw new KmsError(
      "UnsupportedOperation",
      "KeyMaterialId and KeyMaterialDescription apply to symmetric encryption keys only.",
    );
  }
}

/**
 * `ImportKeyMaterial`: opens the material with the token's wrapping key, checks it against the
 * key's spec, and stores it wrapped under the root key like generated material, with its own
 * expiration terms and description. A key's first import defines its material. After that,
 * `EXISTING_KEY_MATERIAL` must bring the very material of one of its versions — the one
 * `keyMaterialId` names (`NotFound` if the key has no such material), else whichever matches —
 * compared through its digest, in constant time; anything else is `IncorrectKeyMaterial`.
 * `NEW_KEY_MATERIAL` (AES keys that have all their material) stores a version that the next
 * `RotateKeyOnDemand` makes primary. The key's state and expiry summary follow
 * {@link withMaterialStatus}.
 */
export async function importKeyMaterial(
  deps: CoreDeps,
  call: CallContext,
  input: ImportKeyMaterialInput,
): Promise<ImportResult> {
  checkRequest(input);
  const found = await keyFor(deps, call, input.keyRef, "ImportKeyMaterial");
  requireExternal(found);
  requireSymmetricOptions(found, input);
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
    const imported = material;
    const result = await deps.store.transaction(async (tx) => {
      const key = await tx.lockKey(found.id);
      if (!key) throw new KmsError("NotFound", `Key '${found.id}' does not exist.`);
      requireExternal(key);
      const versions = await allVersions(tx, key.id);
      const isNew = input.importType === "NEW_KEY_MATERIAL" && versions.some(hasHadMaterial);
      const version = isNew
        ? await storeNewMaterial(deps, tx, key, versions, imported, terms, input.description)
        : await restoreMaterial(deps, tx, key, versions, imported, terms, input);
      const after = versions.filter((v) => v.versionId !== version.versionId).concat(version);
      const next = withMaterialStatus(
        { ...key, pendingVersionId: isNew ? version.versionId : key.pendingVersionId },
        after,
      );
      await tx.updateKey(next);
      return { key: next, versionId: version.versionId };
    });
    deps.materialCache.invalidate(found.id);
    return result;
  } finally {
    token.privateKeyDer.fill(0);
    plain?.fill(0);
    material?.secret.fill(0);
  }
}

/** Whether a version has, or once had, material (imported with a digest, or seeded). */
function hasHadMaterial(version: KeyVersionRecord): boolean {
  return Boolean(version.materialDigest) || version.wrappedMaterial.length > 0;
}

/** A version holding `material` under this import's terms and description. */
async function sealed(
  deps: Pick<CoreDeps, "keyring">,
  version: KeyVersionRecord,
  material: KeyMaterial,
  terms: Terms,
  description: string | undefined,
): Promise<KeyVersionRecord> {
  return {
    ...version,
    wrappedMaterial: await deps.keyring.wrap(version.keyId, version.versionId, material.secret),
    publicKey: material.publicKey,
    materialDigest: materialDigest(version.keyId, version.versionId, material.secret),
    expirationModel: terms.model,
    validTo: terms.validTo,
    materialDescription: description ?? version.materialDescription ?? null,
  };
}

/**
 * The first import defines the primary version's material; later ones must be a version's own
 * material — the version `keyMaterialId` names, when given.
 */
async function restoreMaterial(
  deps: CoreDeps,
  tx: KeyStoreTx,
  key: KeyRecord,
  versions: readonly KeyVersionRecord[],
  material: KeyMaterial,
  terms: Terms,
  input: ImportKeyMaterialInput,
): Promise<KeyVersionRecord> {
  const first = !versions.some(hasHadMaterial);
  const named =
    input.keyMaterialId === undefined ? undefined : versions.find((v) => v.versionId === input.keyMaterialId);
  if (input.keyMaterialId !== undefined && (!named || !hasHadMaterial(named))) {
    throw new KmsError("NotFound", `Key '${key.id}' has no key material '${input.keyMaterialId}'.`);
  }
  const target = first
    ? versions.find((v) => v.versionId === key.primaryVersionId)
    : await findSameMaterial(deps, named ? [named] : versions, material.secret);
  if (!target) {
    if (first) throw new KmsError("NotFound", `Key '${key.id}' has no primary version.`);
    throw new KmsError(
      "IncorrectKeyMaterial",
      `The key material is not the material previously imported into key '${key.id}'.`,
    );
  }
  const version = await sealed(deps, target, material, terms, input.description);
  await tx.setVersionMaterial(version);
  return version;
}

/** New material for the next on-demand rotation of an AES key that has all its material. */
async function storeNewMaterial(
  deps: CoreDeps,
  tx: KeyStoreTx,
  key: KeyRecord,
  versions: readonly KeyVersionRecord[],
  material: KeyMaterial,
  terms: Terms,
  description: string | undefined,
): Promise<KeyVersionRecord> {
  if (key.spec !== "AES_256") {
    throw new KmsError("UnsupportedOperation", "Only symmetric encryption keys take new key material for rotation.");
  }
  if (key.state === "PendingImport") {
    throw new KmsError("InvalidState", `Key '${key.id}' lacks some of its key material; import it first.`);
  }
  if (key.pendingVersionId) {
    throw new KmsError("InvalidState", `Key '${key.id}' already has key material pending rotation.`);
  }
  if (await findSameMaterial(deps, versions, material.secret)) {
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
    terms,
    description,
  );
  await tx.insertVersion(version);
  return version;
}

/** The first of `versions` that has had material and whose material is `secret`. */
async function findSameMaterial(
  deps: Pick<CoreDeps, "keyring">,
  versions: readonly KeyVersionRecord[],
  secret: Buffer,
): Promise<KeyVersionRecord | undefined> {
  for (const v of versions) {
    if (hasHadMaterial(v) && (await isSameMaterial(deps, v, secret))) return v;
  }
  return undefined;
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
