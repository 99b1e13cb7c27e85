import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { secureRandom } from "../../src/crypto/random.js";
import { RawRootKey } from "../../src/crypto/root-key.js";
import { RootKeyring } from "../../src/crypto/root-keyring.js";
import { seededVersionId } from "../../src/seed/apply-seed.js";
import { seedAtStart } from "../../src/seed/seed-at-start.js";
import type { KeyStore } from "../../src/store/key-store.js";
import { openStore } from "../../src/store/open-store.js";
import { dropSchemas } from "../helpers/pg-schema.js";

/**
 * Seeding on PostgreSQL with several instances: four stores over one fresh schema apply the same
 * seed file at the same moment (as instances starting together do). All must start, and the
 * keys, versions, alias and principal must exist exactly once — an instance that loses a race
 * applies the file again and finds everything present.
 */

const url = process.env.KMS_TEST_DATABASE_URL;
if (!url && process.env.CI) throw new Error("KMS_TEST_DATABASE_URL must be set in CI");

const schema = `kms_test_${randomBytes(6).toString("hex")}`;
const KEY = "49c5492b-b1bc-42a8-9a5c-b2015e810c1c";

afterAll(async () => {
  if (url) await dropSchemas(url, [schema]);
});

describe.skipIf(!url)("seeding on PostgreSQL", () => {
  it("four instances seeding the same file at once create everything exactly once", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kms-seed-pg-")), "seed.yaml");
    writeFileSync(
      file,
      `Keys:\n  Symmetric:\n    Aes:\n      - Metadata:\n          KeyId: ${KEY}\n        BackingKeys:\n` +
        `          - ${"11".repeat(32)}\n          - ${"22".repeat(32)}\n` +
        `Aliases:\n  - AliasName: alias/pg-seed\n    TargetKeyId: ${KEY}\n` +
        `Principals:\n  - Name: seeded\n    Token: kms_seeded-token-0123456789abcdef\n`,
    );
    const root = secureRandom(32);
    const stores: KeyStore[] = await Promise.all(
      [0, 1, 2, 3].map(() => openStore({ databaseUrl: url!, dataDir: "unused", schema })),
    );
    const logger = pino({ level: "silent" });
    try {
      await Promise.all(
        stores.map((store) =>
          seedAtStart(
            {
              store,
              keyring: rawKeyring(Buffer.from(root)),
              clock: () => new Date(),
              random: secureRandom,
            },
            file,
            logger,
          ),
        ),
      );
      const key = await stores[0]!.getKey(KEY);
      expect(key).toMatchObject({ origin: "EXTERNAL", primaryVersionId: seededVersionId(KEY, 1) });
      const versions = await stores[1]!.listVersions(KEY, 10, null);
      expect(versions.items.map((v) => v.versionId)).toEqual([seededVersionId(KEY, 0), seededVersionId(KEY, 1)]);
      expect((await stores[0]!.getAlias("alias/pg-seed"))?.keyId).toBe(KEY);
      expect((await stores[0]!.listPrincipals()).map((p) => p.name)).toEqual(["seeded"]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

function rawKeyring(bytes: Buffer): RootKeyring {
  const key = new RawRootKey(bytes);
  return new RootKeyring({ keys: [key], active: key.id, random: secureRandom });
}
