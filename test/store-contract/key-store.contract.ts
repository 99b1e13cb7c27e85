import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KeyRecord } from "../../src/domain/types.js";
import type { KeyStore } from "../../src/store/key-store.js";
import { at, collectPages, makeAlias, makeKey, makeVersion, rejection, T0 } from "./fixtures.js";
import { codeOf } from "../helpers/code-of.js";

/** Opens a new, empty, migrated store; the suite closes it after each test. */
export type StoreFactory = () => Promise<KeyStore>;

/**
 * The behaviour every {@link KeyStore} must have, run against each dialect (as Cosmian KMS runs
 * one suite against all its databases). Each test gets an empty store, so listings are exact.
 */
export function defineKeyStoreContract(dialect: KeyStore["dialect"], open: StoreFactory): void {
  describe(`KeyStore contract (${dialect})`, () => {
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

    it("reports its dialect", () => {
      expect(store.dialect).toBe(dialect);
    });

    it("round-trips every field of a key, null dates included", async () => {
      const bare = makeKey({ description: "", tags: {} });
      const full = makeKey({
        description: "payments — ключ 🔑",
        spec: "RSA_3072",
        usage: "SIGN_VERIFY",
        state: "PendingDeletion",
        createdAt: at(1),
        deletionAt: at(7 * 86_400_000 + 999),
        primaryVersionId: "primary-v",
        rotationEnabled: true,
        rotationPeriodDays: 365,
        nextRotationAt: at(365 * 86_400_000 + 7),
        tags: { team: "payments", "a:b/c": 'quote " and \\', empty: "" },
      });
      await insertKeys([bare, full]);
      expect(await store.getKey(bare.id)).toEqual(bare);
      const got = await store.getKey(full.id);
      expect(got).toEqual(full);
      expect(got?.createdAt.getTime()).toBe(T0.getTime() + 1);
      expect(got?.deletionAt?.getUTCMilliseconds()).toBe(122);
      expect(await store.getKey("00000000-0000-0000-0000-000000000000")).toBeNull();
    });

    it("updates the mutable fields of a key and keeps the others", async () => {
      const key = makeKey();
      await insertKeys([key]);
      const changed: KeyRecord = {
        ...key,
        description: "new",
        state: "PendingDeletion",
        deletionAt: at(5000),
        primaryVersionId: "v2",
        rotationEnabled: true,
        rotationPeriodDays: 90,
        nextRotationAt: at(6000),
        tags: { env: "prod" },
      };
      await store.transaction((tx) => tx.updateKey(changed));
      expect(await store.getKey(key.id)).toEqual(changed);

      await store.transaction((tx) => tx.updateKey({ ...changed, state: "Disabled", deletionAt: null, tags: {} }));
      const back = await store.getKey(key.id);
      expect(back?.state).toBe("Disabled");
      expect(back?.deletionAt).toBeNull();
      expect(back?.tags).toEqual({});
      expect(back?.initialVersionId).toBe(key.initialVersionId);
    });

    it("refuses to update a key that does not exist", async () => {
      const err = await rejection(store.transaction((tx) => tx.updateKey(makeKey())));
      expect(codeOf(err)).toBe("NotFound");
    });

    it("stores versions and lists them oldest first across pages", async () => {
      const key = makeKey();
      const other = makeKey();
      await insertKeys([key, other]);
      // Inserted out of order; two share a creation time, so version id breaks the tie.
      const offsets = [50, 10, 30, 30, 0, 70, 20];
      const versions = offsets.map((ms, n) =>
        makeVersion(key.id, { createdAt: at(ms), publicKey: n % 2 ? Buffer.from(`spki-${n}`) : null }),
      );
      await store.transaction(async (tx) => {
        for (const v of versions) await tx.insertVersion(v);
        await tx.insertVersion(makeVersion(other.id, { createdAt: at(15) }));
      });

      const first = versions[3]!;
      expect(await store.getVersion(key.id, first.versionId)).toEqual(first);
      expect(await store.getVersion(other.id, first.versionId)).toBeNull();

      const pages = await collectPages(3, (token) => store.listVersions(key.id, 3, token));
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      const expected = [...versions].sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.versionId < b.versionId ? -1 : 1),
      );
      expect(pages.flat()).toEqual(expected);
    });

    it("round-trips a version's rotation type; an absent one reads as null", async () => {
      const key = makeKey();
      await insertKeys([key]);
      const automatic = makeVersion(key.id, { createdAt: at(1), rotationType: "AUTOMATIC" });
      const onDemand = makeVersion(key.id, { createdAt: at(2), rotationType: "ON_DEMAND" });
      const initial = makeVersion(key.id, { createdAt: at(0), rotationType: null });
      const { rotationType: _, ...unrecorded } = makeVersion(key.id, { createdAt: at(3) });
      await store.transaction(async (tx) => {
        for (const v of [automatic, onDemand, initial, unrecorded]) await tx.insertVersion(v);
      });

      expect(await store.getVersion(key.id, automatic.versionId)).toEqual(automatic);
      expect(await store.getVersion(key.id, onDemand.versionId)).toEqual(onDemand);
      const listed = (await store.listVersions(key.id, 10, null)).items;
      expect(listed.map((v) => v.rotationType)).toEqual([null, "AUTOMATIC", "ON_DEMAND", null]);
    });

    it("keeps a key's minimum decryption version and destroys a trimmed version's material", async () => {
      const key = makeKey();
      await insertKeys([key]);
      const [v1, v2] = [makeVersion(key.id, { createdAt: at(0) }), makeVersion(key.id, { createdAt: at(1) })];
      await store.transaction(async (tx) => {
        await tx.insertVersion(v1);
        await tx.insertVersion(v2);
        await tx.updateKey({ ...key, minDecryptionVersionId: v2.versionId });
        await tx.trimVersion(key.id, v1.versionId, at(5));
      });
      expect((await store.getKey(key.id))?.minDecryptionVersionId).toBe(v2.versionId);
      const trimmed = await store.getVersion(key.id, v1.versionId);
      expect(trimmed?.trimmedAt?.getTime()).toBe(at(5).getTime());
      expect(trimmed?.wrappedMaterial.length).toBe(0);
      expect(await store.getVersion(key.id, v2.versionId)).toEqual(v2);
      await store.transaction((tx) => tx.updateKey({ ...key, minDecryptionVersionId: null }));
      expect((await store.getKey(key.id))?.minDecryptionVersionId).toBeNull();
    });

    it("lists keys by (createdAt, id) with no duplicates or gaps across pages", async () => {
      expect(await store.listKeys(5, null)).toEqual({ items: [], nextToken: null });
      const keys = [3, 1, 1, 1, 2, 0, 2, 5, 4, 1].map((ms) => makeKey({ createdAt: at(ms) }));
      await insertKeys(keys);
      const expected = [...keys]
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
        .map((k) => k.id);

      const byFour = await collectPages(4, (token) => store.listKeys(4, token));
      expect(byFour.map((p) => p.length)).toEqual([4, 4, 2]);
      expect(byFour.flat().map((k) => k.id)).toEqual(expected);

      // An exact multiple of the limit ends on a full page with no further token.
      const byFive = await collectPages(5, (token) => store.listKeys(5, token));
      expect(byFive.map((p) => p.length)).toEqual([5, 5]);
      expect(byFive.flat().map((k) => k.id)).toEqual(expected);
    });

    it("refuses malformed page tokens with InvalidArgument", async () => {
      await insertKeys([makeKey(), makeKey({ createdAt: at(1) })]);
      const { nextToken } = await store.listKeys(1, null);
      expect(nextToken).not.toBeNull();
      const b64 = (s: string) => Buffer.from(s).toString("base64url");
      const bad = [
        "!!not base64!!",
        "",
        b64("not json"),
        b64("[]"),
        b64(JSON.stringify({ k: "key", t: "1", i: "x" })),
        b64(JSON.stringify({ k: "alias", n: "x" })),
        `${nextToken}$`,
      ];
      for (const token of bad) {
        const err = await rejection(store.listKeys(10, token));
        expect(codeOf(err), `token ${JSON.stringify(token)}`).toBe("InvalidArgument");
      }
      expect(codeOf(await rejection(store.listAliases(10, nextToken)))).toBe("InvalidArgument");
      expect(codeOf(await rejection(store.listVersions("k", 10, nextToken)))).toBe("InvalidArgument");
    });

    it("inserts, reads, retargets, lists and deletes aliases", async () => {
      const a = makeKey();
      const b = makeKey();
      await insertKeys([a, b]);
      const names = ["zeta", "alpha", "Beta", "mid-1", "mid_2"];
      await store.transaction(async (tx) => {
        for (const name of names) await tx.insertAlias(makeAlias(name, name.startsWith("mid") ? b.id : a.id));
      });
      expect(await store.getAlias("alpha")).toEqual(makeAlias("alpha", a.id));
      expect(await store.getAlias("missing")).toBeNull();

      const all = await collectPages(2, (token) => store.listAliases(2, token));
      expect(all.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(all.flat().map((x) => x.name)).toEqual(["Beta", "alpha", "mid-1", "mid_2", "zeta"]);
      const ofB = await collectPages(1, (token) => store.listAliases(1, token, b.id));
      expect(ofB.flat().map((x) => x.name)).toEqual(["mid-1", "mid_2"]);

      await store.transaction((tx) =>
        tx.updateAlias(makeAlias("alpha", b.id, { createdAt: at(999), updatedAt: at(42) })),
      );
      expect(await store.getAlias("alpha")).toEqual(makeAlias("alpha", b.id, { updatedAt: at(42) }));
      expect((await store.listAliases(10, null, b.id)).items.map((x) => x.name)).toEqual(["alpha", "mid-1", "mid_2"]);

      expect(await store.transaction((tx) => tx.deleteAlias("alpha"))).toBe(true);
      expect(await store.transaction((tx) => tx.deleteAlias("alpha"))).toBe(false);
      expect(await store.getAlias("alpha")).toBeNull();
    });

    it("refuses a duplicate alias with AlreadyExists and keeps the first", async () => {
      const a = makeKey();
      const b = makeKey();
      await insertKeys([a, b]);
      await store.transaction((tx) => tx.insertAlias(makeAlias("taken", a.id)));
      const err = await rejection(store.transaction((tx) => tx.insertAlias(makeAlias("taken", b.id))));
      expect(codeOf(err)).toBe("AlreadyExists");
      expect((await store.getAlias("taken"))?.keyId).toBe(a.id);
    });

    it("refuses aliases to missing keys and updates of missing aliases with NotFound", async () => {
      const a = makeKey();
      await insertKeys([a]);
      const missingKey = "00000000-0000-0000-0000-000000000000";
      expect(codeOf(await rejection(store.transaction((tx) => tx.insertAlias(makeAlias("x", missingKey)))))).toBe(
        "NotFound",
      );
      expect(codeOf(await rejection(store.transaction((tx) => tx.updateAlias(makeAlias("nope", a.id)))))).toBe(
        "NotFound",
      );
      await store.transaction((tx) => tx.insertAlias(makeAlias("y", a.id)));
      expect(codeOf(await rejection(store.transaction((tx) => tx.updateAlias(makeAlias("y", missingKey)))))).toBe(
        "NotFound",
      );
      expect(await store.getAlias("x")).toBeNull();
    });

    it("deletes a key with its versions and aliases, leaving other keys alone", async () => {
      const doomed = makeKey();
      const kept = makeKey();
      const doomedVersion = makeVersion(doomed.id);
      const keptVersion = makeVersion(kept.id);
      await store.transaction(async (tx) => {
        await tx.insertKey(doomed);
        await tx.insertKey(kept);
        await tx.insertVersion(doomedVersion);
        await tx.insertVersion(keptVersion);
        await tx.insertAlias(makeAlias("doomed", doomed.id));
        await tx.insertAlias(makeAlias("kept", kept.id));
      });
      await store.transaction((tx) => tx.deleteKey(doomed.id));
      expect(await store.getKey(doomed.id)).toBeNull();
      expect(await store.getVersion(doomed.id, doomedVersion.versionId)).toBeNull();
      expect((await store.listVersions(doomed.id, 10, null)).items).toEqual([]);
      expect(await store.getAlias("doomed")).toBeNull();
      expect(await store.getKey(kept.id)).toEqual(kept);
      expect(await store.getVersion(kept.id, keptVersion.versionId)).toEqual(keptVersion);
      expect((await store.listAliases(10, null)).items.map((x) => x.name)).toEqual(["kept"]);
    });

    it("rolls a transaction back when its function throws", async () => {
      const key = makeKey();
      const version = makeVersion(key.id);
      const boom = new Error("boom");
      const err = await rejection(
        store.transaction(async (tx) => {
          await tx.insertKey(key);
          await tx.insertVersion(version);
          await tx.insertAlias(makeAlias("rolled-back", key.id));
          await tx.putMetaIfAbsent("rolled-back", "1");
          expect(await tx.getKey(key.id)).toEqual(key);
          throw boom;
        }),
      );
      expect(err).toBe(boom);
      expect(await store.getKey(key.id)).toBeNull();
      expect(await store.getVersion(key.id, version.versionId)).toBeNull();
      expect(await store.getAlias("rolled-back")).toBeNull();
      expect(await store.getMeta("rolled-back")).toBeNull();
      expect((await store.listKeys(10, null)).items).toEqual([]);
    });

    it("returns the value of a transaction's function", async () => {
      expect(await store.transaction(async () => 42)).toBe(42);
    });

    it("locks exactly the keys due for deletion", async () => {
      const now = at(10_000);
      const pending = (ms: number) => makeKey({ state: "PendingDeletion", deletionAt: at(ms) });
      const past = pending(9_000);
      const boundary = pending(10_000);
      const future = pending(10_001);
      const disabledWithDate = makeKey({ state: "Disabled", deletionAt: at(1) });
      await insertKeys([future, boundary, disabledWithDate, past, makeKey()]);

      const due = await store.transaction((tx) => tx.lockKeysDueForDeletion(now, 10));
      expect(due.map((k) => k.id).sort()).toEqual([past.id, boundary.id].sort());
      expect(due.find((k) => k.id === past.id)).toEqual(past);
      const one = await store.transaction((tx) => tx.lockKeysDueForDeletion(now, 1));
      expect(one.map((k) => k.id)).toEqual([past.id]);
    });

    it("locks exactly the keys due for rotation", async () => {
      const now = at(10_000);
      const rotating = (ms: number | null, o: Partial<KeyRecord> = {}) =>
        makeKey({ rotationEnabled: true, rotationPeriodDays: 90, nextRotationAt: ms === null ? null : at(ms), ...o });
      const past = rotating(1);
      const boundary = rotating(10_000);
      const keys = [
        rotating(10_001),
        rotating(1, { rotationEnabled: false }),
        rotating(1, { state: "Disabled" }),
        rotating(1, { state: "PendingDeletion", deletionAt: at(1) }),
        rotating(null),
        boundary,
        past,
      ];
      await insertKeys(keys);
      const due = await store.transaction((tx) => tx.lockKeysDueForRotation(now, 10));
      expect(due.map((k) => k.id).sort()).toEqual([past.id, boundary.id].sort());
      const one = await store.transaction((tx) => tx.lockKeysDueForRotation(now, 1));
      expect(one.map((k) => k.id)).toEqual([past.id]);
    });

    it("keeps the first value of a meta entry", async () => {
      expect(await store.getMeta("root-key-check")).toBeNull();
      expect(await store.transaction((tx) => tx.putMetaIfAbsent("root-key-check", "first"))).toBe("first");
      expect(await store.transaction((tx) => tx.putMetaIfAbsent("root-key-check", "second"))).toBe("first");
      expect(await store.getMeta("root-key-check")).toBe("first");
      expect(await store.transaction((tx) => tx.putMetaIfAbsent("other", "x"))).toBe("x");
    });

    it("reads a lockKey'd key inside its transaction", async () => {
      const key = makeKey();
      await insertKeys([key]);
      const locked = await store.transaction((tx) => tx.lockKey(key.id));
      expect(locked).toEqual(key);
      expect(await store.transaction((tx) => tx.lockKey("00000000-0000-0000-0000-000000000000"))).toBeNull();
    });
  });
}
