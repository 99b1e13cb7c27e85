import { randomBytes } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { CoreDeps } from "../../src/core/deps.js";
import { advanceDecrypt, advanceEncrypt } from "../../src/core/crypto-ops/encryption.js";
import { type ImportKeyMaterialInput, importKeyMaterial } from "../../src/core/imports/import-key-material.js";
import { getParametersForImport } from "../../src/core/imports/import-parameters.js";
import { deleteImportedKeyMaterial, expireImportedMaterial } from "../../src/core/imports/material-removal.js";
import { listKeyVersions, rotateKey } from "../../src/core/rotation/rotation.js";
import { createKey, describeKey } from "../../src/core/keys/keys.js";
import { openStore } from "../../src/store/open-store.js";
import { codeOf } from "../helpers/code-of.js";
import { adminCall, type CoreFixture, createCoreFixture } from "../helpers/core-fixture.js";
import { wrapForImport } from "../helpers/import-wrap.js";
import { dropSchemas } from "../helpers/pg-schema.js";

const DAY = 86_400_000;
const url = process.env.KMS_TEST_DATABASE_URL;
if (!url && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");
const NO_BINDING = { aad: new Uint8Array(0), context: {} };

/** Wraps `material` for `keyId` as a client would and imports it, expiring at `validTo` if given. */
async function importInto(
  deps: CoreDeps,
  keyId: string,
  material: Buffer,
  validTo?: Date,
  extra: Partial<ImportKeyMaterialInput> = {},
) {
  const params = await getParametersForImport(deps, adminCall(), keyId, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048");
  return importKeyMaterial(deps, adminCall(), {
    keyRef: keyId,
    importToken: params.importToken,
    encryptedKeyMaterial: wrapForImport("RSA_AES_KEY_WRAP_SHA_256", params.publicKey, material),
    validTo,
    ...extra,
  });
}

/**
 * An imported AES key with two materials: `first` (the initial one, then non-current) and
 * `second` (imported as NEW_KEY_MATERIAL, current after the rotation), with a ciphertext under each.
 */
async function twoMaterialKey(deps: CoreDeps, firstValidTo?: Date, secondValidTo?: Date) {
  const key = await createKey(deps, adminCall(), { origin: "EXTERNAL" });
  const first = randomBytes(32);
  const second = randomBytes(32);
  const a = await importInto(deps, key.id, first, firstValidTo, { description: "first" });
  const underFirst = await advanceEncrypt(deps, adminCall(), {
    keyRef: key.id,
    plaintext: Buffer.from("a"),
    ...NO_BINDING,
  });
  const b = await importInto(deps, key.id, second, secondValidTo, { importType: "NEW_KEY_MATERIAL" });
  await rotateKey(deps, adminCall(), key.id);
  const underSecond = await advanceEncrypt(deps, adminCall(), {
    keyRef: key.id,
    plaintext: Buffer.from("b"),
    ...NO_BINDING,
  });
  return { key, first, second, a: a.versionId, b: b.versionId, underFirst, underSecond };
}

describe("expiry of imported key material (one instance)", () => {
  let fixture: CoreFixture;
  afterEach(async () => fixture.close());

  it("puts the key in PendingImport once ValidTo passes, once; the same material brings old ciphertexts back", async () => {
    fixture = await createCoreFixture();
    const { deps } = fixture;
    let now = Date.now();
    deps.clock = () => new Date(now);
    const key = await createKey(deps, adminCall(), { origin: "EXTERNAL" });
    const material = randomBytes(32);
    await importInto(deps, key.id, material, new Date(now + DAY));
    const sealed = await advanceEncrypt(deps, adminCall(), {
      keyRef: key.id,
      plaintext: Buffer.from("kept"),
      ...NO_BINDING,
    });

    now += DAY - 1000;
    expect(await expireImportedMaterial(deps)).toEqual([]);
    now += 1000;
    expect(await expireImportedMaterial(deps)).toEqual([{ keyId: key.id, keyMaterialId: key.primaryVersionId }]);
    expect(await expireImportedMaterial(deps)).toEqual([]);
    const expired = await describeKey(deps, adminCall(), key.id);
    expect(expired.state).toBe("PendingImport");
    expect(expired.materialExpiresAt).toBeNull();
    expect((await deps.store.getVersion(key.id, key.primaryVersionId))?.wrappedMaterial.length).toBe(0);
    const decrypt = () => advanceDecrypt(deps, adminCall(), { ciphertextBlob: sealed.ciphertextBlob, ...NO_BINDING });
    expect(await codeOf(decrypt())).toBe("InvalidState");

    expect(await codeOf(importInto(deps, key.id, randomBytes(32)))).toBe("IncorrectKeyMaterial");
    await importInto(deps, key.id, material);
    expect((await describeKey(deps, adminCall(), key.id)).state).toBe("Enabled");
    expect((await decrypt()).plaintext.toString()).toBe("kept");
  });

  it("expires each material on its own: the key waits for it, the other material stays, re-import brings both ciphertexts back", async () => {
    fixture = await createCoreFixture();
    const { deps } = fixture;
    let now = Date.now();
    deps.clock = () => new Date(now);
    const secondValidTo = new Date(now + 3 * DAY);
    const k = await twoMaterialKey(deps, new Date(now + DAY), secondValidTo);
    const before = await describeKey(deps, adminCall(), k.key.id);
    expect(before.state).toBe("Enabled");
    expect(before.expirationModel).toBe("KEY_MATERIAL_EXPIRES");
    expect(before.materialExpiresAt?.getTime()).toBe(now + DAY);

    now += DAY;
    expect(await expireImportedMaterial(deps)).toEqual([{ keyId: k.key.id, keyMaterialId: k.a }]);
    expect(await expireImportedMaterial(deps)).toEqual([]);
    const waiting = await describeKey(deps, adminCall(), k.key.id);
    expect(waiting.state).toBe("PendingImport");
    expect(waiting.primaryVersionId).toBe(k.b);
    expect(waiting.materialExpiresAt?.getTime()).toBe(secondValidTo.getTime());
    const current = await deps.store.getVersion(k.key.id, k.b);
    expect(current?.wrappedMaterial.length).toBeGreaterThan(0);
    expect(current?.validTo?.getTime()).toBe(secondValidTo.getTime());
    const expired = await deps.store.getVersion(k.key.id, k.a);
    expect(expired?.wrappedMaterial.length).toBe(0);
    expect(expired?.validTo).toBeNull();
    expect(expired?.materialDescription).toBe("first");
    const decrypt = (blob: Buffer) => advanceDecrypt(deps, adminCall(), { ciphertextBlob: blob, ...NO_BINDING });
    expect(await codeOf(decrypt(k.underFirst.ciphertextBlob))).toBe("InvalidState");
    expect(await codeOf(decrypt(k.underSecond.ciphertextBlob))).toBe("InvalidState");

    expect(await codeOf(importInto(deps, k.key.id, k.second, undefined, { keyMaterialId: k.a }))).toBe(
      "IncorrectKeyMaterial",
    );
    expect(await codeOf(importInto(deps, k.key.id, randomBytes(32)))).toBe("IncorrectKeyMaterial");
    expect(await codeOf(importInto(deps, k.key.id, k.first, undefined, { keyMaterialId: "no-such-material" }))).toBe(
      "NotFound",
    );
    const back = await importInto(deps, k.key.id, k.first, undefined, { keyMaterialId: k.a });
    expect(back.versionId).toBe(k.a);
    expect(back.key.state).toBe("Enabled");
    expect((await decrypt(k.underFirst.ciphertextBlob)).plaintext.toString()).toBe("a");
    expect((await decrypt(k.underSecond.ciphertextBlob)).plaintext.toString()).toBe("b");
    expect((await deps.store.getVersion(k.key.id, k.a))?.materialDescription).toBe("first");
    expect((await deps.store.getVersion(k.key.id, k.b))?.validTo?.getTime()).toBe(secondValidTo.getTime());

    now = secondValidTo.getTime();
    expect(await expireImportedMaterial(deps)).toEqual([{ keyId: k.key.id, keyMaterialId: k.b }]);
    expect((await deps.store.getVersion(k.key.id, k.a))?.wrappedMaterial.length).toBeGreaterThan(0);
    expect((await describeKey(deps, adminCall(), k.key.id)).state).toBe("PendingImport");
  });

  it("drops expired or deleted material pending rotation and leaves the key as it was", async () => {
    fixture = await createCoreFixture();
    const { deps } = fixture;
    let now = Date.now();
    deps.clock = () => new Date(now);
    const key = await createKey(deps, adminCall(), { origin: "EXTERNAL" });
    await importInto(deps, key.id, randomBytes(32));
    const pending = await importInto(deps, key.id, randomBytes(32), new Date(now + DAY), {
      importType: "NEW_KEY_MATERIAL",
    });
    expect(pending.key.pendingVersionId).toBe(pending.versionId);
    now += DAY;
    expect(await expireImportedMaterial(deps)).toEqual([{ keyId: key.id, keyMaterialId: pending.versionId }]);
    const after = await describeKey(deps, adminCall(), key.id);
    expect(after.state).toBe("Enabled");
    expect(after.pendingVersionId).toBeNull();
    expect(await deps.store.getVersion(key.id, pending.versionId)).toBeNull();

    const other = await importInto(deps, key.id, randomBytes(32), undefined, { importType: "NEW_KEY_MATERIAL" });
    const versions = await listKeyVersions(deps, adminCall(), key.id, undefined, undefined);
    expect(versions.items.map((v) => v.materialState)).toEqual(["CURRENT", "PENDING_ROTATION"]);
    const deleted = await deleteImportedKeyMaterial(deps, adminCall(), key.id, other.versionId);
    expect(deleted.keyMaterialId).toBe(other.versionId);
    expect(deleted.key.state).toBe("Enabled");
    expect(deleted.key.pendingVersionId).toBeNull();
  });

  it("refuses an import token older than 24 hours", async () => {
    fixture = await createCoreFixture();
    const { deps } = fixture;
    let now = Date.now();
    deps.clock = () => new Date(now);
    const key = await createKey(deps, adminCall(), { origin: "EXTERNAL" });
    const params = await getParametersForImport(deps, adminCall(), key.id, "RSAES_OAEP_SHA_256", "RSA_2048");
    now += DAY + 1;
    const late = importKeyMaterial(deps, adminCall(), {
      keyRef: key.id,
      importToken: params.importToken,
      encryptedKeyMaterial: wrapForImport("RSAES_OAEP_SHA_256", params.publicKey, randomBytes(32)),
    });
    expect(await codeOf(late)).toBe("ExpiredImportToken");
  });
});

describe.skipIf(!url)("expiry of imported key material on two instances over one PostgreSQL", () => {
  const schema = `kms_import_${randomBytes(6).toString("hex")}`;
  const fixtures: CoreFixture[] = [];
  afterAll(async () => {
    for (const f of fixtures) await f.close();
    await dropSchemas(url!, [schema]);
  });

  it("expires each material exactly once when both instances sweep at once; a token from one is accepted by the other", async () => {
    const base = await createCoreFixture();
    fixtures.push(base);
    const [sa, sb] = await Promise.all([
      openStore({ databaseUrl: url!, dataDir: base.dataDir, schema }),
      openStore({ databaseUrl: url!, dataDir: base.dataDir, schema }),
    ]);
    fixtures.push({ ...base, close: async () => Promise.all([sa.close(), sb.close()]).then(() => {}) });
    let now = Date.now();
    const a: CoreDeps = { ...base.deps, store: sa, clock: () => new Date(now) };
    const b: CoreDeps = { ...base.deps, store: sb, clock: () => new Date(now) };

    const keys = await Promise.all(Array.from({ length: 6 }, () => createKey(a, adminCall(), { origin: "EXTERNAL" })));
    for (const key of keys) {
      const params = await getParametersForImport(a, adminCall(), key.id, "RSAES_OAEP_SHA_1", "RSA_2048");
      await importKeyMaterial(b, adminCall(), {
        keyRef: key.id,
        importToken: params.importToken,
        encryptedKeyMaterial: wrapForImport("RSAES_OAEP_SHA_1", params.publicKey, randomBytes(32)),
        validTo: new Date(now + DAY),
      });
    }
    const multi = await twoMaterialKey(a, new Date(now + DAY), new Date(now + DAY));
    now += DAY;
    const [ea, eb] = await Promise.all([expireImportedMaterial(a), expireImportedMaterial(b)]);
    const mine = (m: { keyId: string }) => m.keyId === multi.key.id;
    expect(
      [...ea, ...eb]
        .filter(mine)
        .map((m) => m.keyMaterialId)
        .sort(),
    ).toEqual([multi.a, multi.b].sort());
    const rest = (list: typeof ea) => list.filter((m) => !mine(m));
    ea.splice(0, ea.length, ...rest(ea));
    eb.splice(0, eb.length, ...rest(eb));
    const swept = [...ea, ...eb].map((m) => m.keyMaterialId).sort();
    expect(swept).toEqual(keys.map((k) => k.primaryVersionId).sort());
    for (const key of keys) expect((await describeKey(b, adminCall(), key.id)).state).toBe("PendingImport");
  });
});
