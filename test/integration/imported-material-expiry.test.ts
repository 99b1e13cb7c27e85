import { randomBytes } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { CoreDeps } from "../../src/core/deps.js";
import { advanceDecrypt, advanceEncrypt } from "../../src/core/crypto-ops/encryption.js";
import { importKeyMaterial } from "../../src/core/imports/import-key-material.js";
import { getParametersForImport } from "../../src/core/imports/import-parameters.js";
import { expireImportedMaterial } from "../../src/core/imports/material-removal.js";
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
async function importInto(deps: CoreDeps, keyId: string, material: Buffer, validTo?: Date) {
  const params = await getParametersForImport(deps, adminCall(), keyId, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048");
  return importKeyMaterial(deps, adminCall(), {
    keyRef: keyId,
    importToken: params.importToken,
    encryptedKeyMaterial: wrapForImport("RSA_AES_KEY_WRAP_SHA_256", params.publicKey, material),
    validTo,
  });
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

  it("expires each key exactly once when both instances sweep at once; a token from one is accepted by the other", async () => {
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
    now += DAY;
    const [ea, eb] = await Promise.all([expireImportedMaterial(a), expireImportedMaterial(b)]);
    const swept = [...ea, ...eb].map((m) => m.keyMaterialId).sort();
    expect(swept).toEqual(keys.map((k) => k.primaryVersionId).sort());
    for (const key of keys) expect((await describeKey(b, adminCall(), key.id)).state).toBe("PendingImport");
  });
});
