import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { advanceEncrypt } from "../../src/core/crypto-ops/encryption.js";
import { createKey } from "../../src/core/keys/keys.js";
import { sqliteFile } from "../../src/store/open-store.js";
import { adminCall, type CoreFixture, createCoreFixture } from "../helpers/core-fixture.js";

/**
 * Regression guard for the key hierarchy (docs/ciphertext-formats.md): a version's wrapped material is
 * bound to its key id and version id, so a row copied onto another key — by a bad restore, a
 * hand edit or an attacker with database access — must not unwrap and must not be used.
 */
describe("wrapped material moved between keys", () => {
  let fx: CoreFixture;
  afterEach(async () => fx.close());

  it("refuses to use material copied from another key's version", async () => {
    fx = await createCoreFixture();
    const deps = fx.deps;
    const a = await createKey(deps, adminCall(), {});
    const b = await createKey(deps, adminCall(), {});
    const encrypt = (keyRef: string) =>
      advanceEncrypt(deps, adminCall(), { keyRef, plaintext: Buffer.from("x"), aad: new Uint8Array(0), context: {} });
    await encrypt(b.id);

    const db = new Database(sqliteFile(fx.dataDir));
    try {
      const row = db
        .prepare("select wrapped_material from kms_key_versions where key_id = ? and version_id = ?")
        .get(a.id, a.initialVersionId) as { wrapped_material: Buffer };
      const changed = db
        .prepare("update kms_key_versions set wrapped_material = ? where key_id = ? and version_id = ?")
        .run(row.wrapped_material, b.id, b.initialVersionId).changes;
      expect(changed).toBe(1);
    } finally {
      db.close();
    }
    deps.materialCache.clear();

    const err = await encrypt(b.id).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err?.code).toBe("Internal");
    expect((await encrypt(a.id)).keyId).toBe(a.id);
  });
});
