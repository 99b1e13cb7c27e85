import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeyStore, RootKeyRecord } from "../../src/store/key-store.js";
import { at, makeKey, makeVersion } from "./fixtures.js";
import type { StoreFactory } from "./key-store.contract.js";
import { makePrincipal } from "./security.contract.js";

function rootKey(id: string, overrides: Partial<RootKeyRecord> = {}): RootKeyRecord {
  return {
    id,
    kind: "raw",
    label: null,
    wrapped: null,
    wrappedBy: null,
    createdAt: at(0),
    retiredAt: null,
    ...overrides,
  };
}

/** The store's part of the root keyring and of root-key rotation (migration 007), on each dialect. */
export function defineRootKeysContract(dialect: KeyStore["dialect"], open: StoreFactory): void {
  describe(`KeyStore contract: root keyring (${dialect})`, () => {
    let store: KeyStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it("records root keys oldest first; retiring one drops every copy wrapped under it", async () => {
      const copy = randomBytes(70);
      await store.transaction(async (tx) => {
        await tx.putRootKey(rootKey("raw-a"));
        await tx.putRootKey(rootKey("p11-b", { kind: "pkcs11", label: "kms-root-2", createdAt: at(5) }));
        await tx.putRootKey(rootKey("raw-c", { wrapped: copy, wrappedBy: "raw-a", createdAt: at(9) }));
      });
      expect(await store.listRootKeys()).toEqual([
        rootKey("raw-a"),
        rootKey("p11-b", { kind: "pkcs11", label: "kms-root-2", createdAt: at(5) }),
        rootKey("raw-c", { wrapped: copy, wrappedBy: "raw-a", createdAt: at(9) }),
      ]);
      await store.transaction((tx) => tx.retireRootKey("raw-a", at(20)));
      const after = await store.listRootKeys();
      expect(after.find((k) => k.id === "raw-a")?.retiredAt).toEqual(at(20));
      expect(after.find((k) => k.id === "raw-c")).toEqual(rootKey("raw-c", { createdAt: at(9) }));
      expect(after.find((k) => k.id === "p11-b")?.retiredAt).toBeNull();
      // Putting a retired key again brings it back, with the copy given now.
      await store.transaction((tx) =>
        tx.putRootKey(rootKey("raw-a", { wrapped: copy, wrappedBy: "p11-b", createdAt: at(30) })),
      );
      expect((await store.listRootKeys()).find((k) => k.id === "raw-a")).toEqual(
        rootKey("raw-a", { wrapped: copy, wrappedBy: "p11-b" }),
      );
    });

    it("setMeta replaces a value that putMetaIfAbsent keeps", async () => {
      await store.transaction((tx) => tx.putMetaIfAbsent("root_key_active", "raw-a"));
      expect(await store.transaction((tx) => tx.putMetaIfAbsent("root_key_active", "raw-b"))).toBe("raw-a");
      await store.transaction((tx) => tx.setMeta("root_key_active", "raw-b"));
      expect(await store.getMeta("root_key_active")).toBe("raw-b");
    });

    it("pages version blobs in (key id, version id) order, leaving out trimmed ones, and swaps only the expected bytes", async () => {
      const a = makeKey({ id: "00000000-0000-4000-8000-00000000000a" });
      const b = makeKey({ id: "00000000-0000-4000-8000-00000000000b" });
      const versions = [
        makeVersion(a.id, { versionId: "v1", wrappedMaterial: randomBytes(60) }),
        makeVersion(a.id, { versionId: "v2", wrappedMaterial: randomBytes(60) }),
        makeVersion(a.id, { versionId: "v3", wrappedMaterial: Buffer.alloc(0) }),
        makeVersion(b.id, { versionId: "v0", wrappedMaterial: randomBytes(60) }),
      ];
      await store.transaction(async (tx) => {
        await tx.insertKey(a);
        await tx.insertKey(b);
        for (const v of versions) await tx.insertVersion(v);
      });
      const first = await store.listVersionBlobs(null, 2);
      expect(first.map((x) => [x.owner, x.id])).toEqual([
        [a.id, "v1"],
        [a.id, "v2"],
      ]);
      expect(first[0]!.wrapped.equals(versions[0]!.wrappedMaterial)).toBe(true);
      const rest = await store.listVersionBlobs({ keyId: a.id, versionId: "v2" }, 10);
      expect(rest.map((x) => [x.owner, x.id])).toEqual([[b.id, "v0"]]);

      const to = randomBytes(70);
      expect(await store.transaction((tx) => tx.replaceVersionBlob(a.id, "v1", randomBytes(60), to))).toBe(false);
      expect((await store.getVersion(a.id, "v1"))?.wrappedMaterial.equals(versions[0]!.wrappedMaterial)).toBe(true);
      expect(await store.transaction((tx) => tx.replaceVersionBlob(a.id, "v1", versions[0]!.wrappedMaterial, to))).toBe(
        true,
      );
      expect((await store.getVersion(a.id, "v1"))?.wrappedMaterial.equals(to)).toBe(true);
      expect((await store.getVersion(a.id, "v2"))?.wrappedMaterial.equals(versions[1]!.wrappedMaterial)).toBe(true);
    });

    it("pages principal secrets by name and swaps only the expected bytes", async () => {
      const alice = makePrincipal("alice", { wrappedSecret: randomBytes(50) });
      const bob = makePrincipal("bob", { wrappedSecret: randomBytes(50) });
      await store.transaction(async (tx) => {
        await tx.insertPrincipal(bob);
        await tx.insertPrincipal(alice);
      });
      const names = (await store.listPrincipalBlobs(null, 100)).map((p) => p.owner);
      expect(names.indexOf("alice")).toBeLessThan(names.indexOf("bob"));
      const afterAlice = await store.listPrincipalBlobs("alice", 100);
      expect(afterAlice.map((p) => p.owner)).not.toContain("alice");
      const aliceBlob = (await store.listPrincipalBlobs(null, 100)).find((p) => p.owner === "alice")!;
      expect(aliceBlob.id).toBe(alice.accessKeyId);
      const to = randomBytes(64);
      expect(await store.transaction((tx) => tx.replacePrincipalBlob("alice", bob.wrappedSecret, to))).toBe(false);
      expect(await store.transaction((tx) => tx.replacePrincipalBlob("alice", alice.wrappedSecret, to))).toBe(true);
      expect((await store.getPrincipal("alice"))?.wrappedSecret.equals(to)).toBe(true);
      expect((await store.getPrincipal("bob"))?.wrappedSecret.equals(bob.wrappedSecret)).toBe(true);
    });
  });
}
