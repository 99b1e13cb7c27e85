import { randomBytes, randomUUID } from "node:crypto";
import { auditHash } from "../../src/security/audit-chain.js";
import { makeAuditEntry } from "./security.contract.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeyRecord } from "../../src/domain/types.js";
import type { KeyStore } from "../../src/store/key-store.js";
import { codeOf } from "../helpers/code-of.js";
import { at, makeKey, makeVersion, rejection } from "./fixtures.js";
import type { StoreFactory } from "./key-store.contract.js";

/** The store's part of imported key material (migrations 005–007), on each dialect. */
export function defineImportedMaterialContract(dialect: KeyStore["dialect"], open: StoreFactory): void {
  describe(`KeyStore contract: imported key material (${dialect})`, () => {
    let store: KeyStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const insertKeys = (keys: KeyRecord[]) =>
      store.transaction(async (tx) => {
        for (const key of keys) await tx.insertKey(key);
      });

    it("round-trips origin, expiration and a pending version; updateKey changes them", async () => {
      const key = makeKey({
        origin: "EXTERNAL",
        state: "PendingImport",
        expirationModel: "KEY_MATERIAL_EXPIRES",
        materialExpiresAt: at(5),
        pendingVersionId: "pending-v",
      });
      await insertKeys([key]);
      expect(await store.getKey(key.id)).toEqual(key);
      const changed = { ...key, expirationModel: null, materialExpiresAt: null, pendingVersionId: null };
      await store.transaction((tx) => tx.updateKey(changed));
      expect(await store.getKey(key.id)).toEqual(changed);
    });

    it("replaces a version's material, public key, digest, terms and description, and refuses a missing version", async () => {
      const key = makeKey({ origin: "EXTERNAL" });
      const empty = makeVersion(key.id, { versionId: key.initialVersionId, wrappedMaterial: Buffer.alloc(0) });
      await store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertVersion(empty);
      });
      expect((await store.getVersion(key.id, empty.versionId))?.wrappedMaterial.length).toBe(0);
      const filled = {
        ...empty,
        wrappedMaterial: randomBytes(61),
        publicKey: randomBytes(91),
        materialDigest: randomBytes(32),
        expirationModel: "KEY_MATERIAL_EXPIRES" as const,
        validTo: at(7),
        materialDescription: "first import: 2024/05",
      };
      await store.transaction((tx) => tx.setVersionMaterial(filled));
      expect(await store.getVersion(key.id, empty.versionId)).toEqual(filled);
      const erased = { ...filled, wrappedMaterial: Buffer.alloc(0), expirationModel: null, validTo: null };
      await store.transaction((tx) => tx.setVersionMaterial(erased));
      expect(await store.getVersion(key.id, empty.versionId)).toEqual(erased);
      const missing = await rejection(
        store.transaction((tx) => tx.setVersionMaterial({ ...erased, versionId: "nope" })),
      );
      expect(codeOf(missing)).toBe("NotFound");
    });

    it("finds a key's latest successful audit record among some operations", async () => {
      const keyId = randomUUID();
      const add = (n: number, o: Parameters<typeof makeAuditEntry>[1]) =>
        store.appendAudit(makeAuditEntry(n, { keyId, outcome: "ok", errorCode: null, ...o }), auditHash);
      expect(await store.lastAuditOfKey(keyId, ["svc/Encrypt"])).toBeNull();
      await add(1, { operation: "svc/Encrypt" });
      const wanted = await add(2, { operation: "svc/Decrypt" });
      await add(3, { operation: "svc/Decrypt", outcome: "error", errorCode: "InvalidCiphertext" });
      await add(4, { operation: "svc/DescribeKey" });
      await add(5, { operation: "svc/Encrypt", keyId: randomUUID() });
      const got = await store.lastAuditOfKey(keyId, ["svc/Encrypt", "svc/Decrypt"]);
      expect(got?.seq).toBe(wanted.seq);
      expect(got?.requestId).toBe(wanted.requestId);
      expect(await store.lastAuditOfKey(keyId, [])).toBeNull();
    });

    it("deletes one version (material pending rotation) and refuses a missing one", async () => {
      const key = makeKey({ origin: "EXTERNAL" });
      const kept = makeVersion(key.id, { versionId: key.initialVersionId });
      const pending = makeVersion(key.id, { createdAt: at(1), materialDigest: randomBytes(32) });
      await store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertVersion(kept);
        await tx.insertVersion(pending);
      });
      await store.transaction((tx) => tx.deleteVersion(key.id, pending.versionId));
      expect(await store.getVersion(key.id, pending.versionId)).toBeNull();
      expect(await store.getVersion(key.id, kept.versionId)).toEqual(kept);
      const missing = await rejection(store.transaction((tx) => tx.deleteVersion(key.id, pending.versionId)));
      expect(codeOf(missing)).toBe("NotFound");
    });

    it("locks exactly the imported keys with a material whose ValidTo has passed, whatever the key's state", async () => {
      const now = at(10_000);
      const withMaterials = async (o: Partial<KeyRecord>, validTos: (number | null)[]) => {
        const key = makeKey({ origin: "EXTERNAL", ...o });
        await store.transaction(async (tx) => {
          await tx.insertKey(key);
          for (const [i, ms] of validTos.entries()) {
            await tx.insertVersion(
              makeVersion(key.id, {
                versionId: i === 0 ? key.initialVersionId : randomUUID(),
                createdAt: at(i),
                materialDigest: randomBytes(32),
                expirationModel: ms === null ? "KEY_MATERIAL_DOES_NOT_EXPIRE" : "KEY_MATERIAL_EXPIRES",
                validTo: ms === null ? null : at(ms),
              }),
            );
          }
        });
        return key;
      };
      await withMaterials({}, [10_001, null]);
      await withMaterials({}, [null]);
      await withMaterials({ origin: "AWS_KMS" }, [1]);
      const nonCurrent = await withMaterials({}, [1, 20_000]);
      const boundary = await withMaterials({ state: "Disabled" }, [null, 10_000]);
      const pendingImport = await withMaterials({ state: "PendingImport" }, [5, null]);
      const due = await store.transaction((tx) => tx.lockKeysWithExpiredMaterial(now, 10));
      expect(due.map((k) => k.id).sort()).toEqual([nonCurrent.id, boundary.id, pendingImport.id].sort());
      const one = await store.transaction((tx) => tx.lockKeysWithExpiredMaterial(now, 1));
      expect(one).toHaveLength(1);
      expect(due.map((k) => k.id)).toContain(one[0]!.id);
    });
  });
}
