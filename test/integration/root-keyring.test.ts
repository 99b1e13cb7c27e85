import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPrincipal, principalSecret } from "../../src/core/access/principals.js";
import { ACTIVE_ROOT_KEY, LEGACY_ROOT_KEY_CHECK } from "../../src/core/root-keys/keyring-source.js";
import { openKeyring, RootKeyRefused } from "../../src/core/root-keys/open-keyring.js";
import { rootKeyStatus } from "../../src/core/root-keys/root-key-status.js";
import { rotateRootKey } from "../../src/core/root-keys/rotate-root-key.js";
import { secureRandom } from "../../src/crypto/random.js";
import { RawRootKey } from "../../src/crypto/root-key.js";
import type { KeyStore, KeyStoreTx } from "../../src/store/key-store.js";
import { openStore } from "../../src/store/open-store.js";
import { codeOf } from "../helpers/code-of.js";

/**
 * The keyring against a real store: what start-up accepts and refuses, and a rotation cut short
 * (the store failing after its first batch, as a killed process would leave it) that a re-run
 * finishes — the same contract the end-to-end test checks with SIGKILL, here in milliseconds.
 */

const root = mkdtempSync(join(tmpdir(), "kms-keyring-"));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const freshStore = () => openStore({ dataDir: join(root, `db-${n++}`) });
const open = (store: KeyStore, key: RawRootKey) =>
  openKeyring({ store, configured: key, random: secureRandom, now: new Date() });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "opened",
    (err: unknown) => (err instanceof RootKeyRefused ? "refused" : String(err)),
  );

/** A store whose transactions fail once `budget` re-wraps have been written. */
function failingAfter(store: KeyStore, budget: number): KeyStore {
  let left = budget;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop !== "transaction") return Reflect.get(target, prop, receiver);
      return <T>(fn: (tx: KeyStoreTx) => Promise<T>) =>
        target.transaction((tx) =>
          fn(
            new Proxy(tx, {
              get(t, p, r) {
                if (p !== "replaceVersionBlob") return Reflect.get(t, p, r);
                return (...args: Parameters<KeyStoreTx["replaceVersionBlob"]>) => {
                  if (left-- <= 0) throw new Error("killed");
                  return t.replaceVersionBlob(...args);
                };
              },
            }),
          ),
        );
    },
  });
}

describe("root keyring on a store", () => {
  it("records the first key as active and refuses another one", async () => {
    const store = await freshStore();
    const a = new RawRootKey(secureRandom(32));
    const ring = await open(store, a);
    expect(ring.activeId).toBe(a.id);
    expect(await store.getMeta(ACTIVE_ROOT_KEY)).toBe(a.id);
    expect(await refusal(open(store, new RawRootKey(secureRandom(32))))).toBe("refused");
    expect(await refusal(open(store, a))).toBe("opened");
    await store.close();
  });

  it("lets one of two different keys starting together on a new database win, and records only that one", async () => {
    const store = await freshStore();
    const a = new RawRootKey(secureRandom(32));
    const b = new RawRootKey(secureRandom(32));
    const outcomes = await Promise.all([refusal(open(store, a)), refusal(open(store, b))]);
    expect(outcomes.sort()).toEqual(["opened", "refused"]);
    const winner = outcomes[0] === "opened" ? a : b;
    expect((await store.listRootKeys()).map((k) => k.id)).toEqual([winner.id]);
    expect(await refusal(open(store, winner))).toBe("opened");
    await store.close();
  });

  it("accepts a database from before the keyring only with the key its check value names", async () => {
    const store = await freshStore();
    const bytes = secureRandom(32);
    const { createHmac } = await import("node:crypto");
    const check = createHmac("sha256", bytes).update("kms/v1 key check value").digest().subarray(0, 16);
    await store.transaction((tx) => tx.putMetaIfAbsent(LEGACY_ROOT_KEY_CHECK, check.toString("base64")));
    expect(await refusal(open(store, new RawRootKey(secureRandom(32))))).toBe("refused");
    expect(await refusal(open(store, new RawRootKey(bytes)))).toBe("opened");
    await store.close();
  });

  it("finishes a rotation cut short, refusing the new key alone meanwhile and the old key after", async () => {
    const store = await freshStore();
    const aBytes = secureRandom(32);
    const a = new RawRootKey(aBytes);
    const ring = await open(store, a);
    const deps = { store, keyring: ring, clock: () => new Date(), random: secureRandom };
    const material = new Map<string, Buffer>();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 120; i++) {
        const keyId = `k-${String(i).padStart(3, "0")}`;
        const secret = secureRandom(32);
        material.set(keyId, secret);
        await tx.insertKey({
          id: keyId,
          description: "",
          spec: "AES_256",
          usage: "ENCRYPT_DECRYPT",
          state: "Enabled",
          createdAt: new Date(),
          deletionAt: null,
          initialVersionId: "v1",
          primaryVersionId: "v1",
          rotationEnabled: false,
          rotationPeriodDays: null,
          nextRotationAt: null,
          tags: {},
        });
        await tx.insertVersion({
          keyId,
          versionId: "v1",
          createdAt: new Date(),
          wrappedMaterial: await ring.wrap(keyId, "v1", secret),
          publicKey: null,
          rotationType: null,
        });
      }
    });
    const created = await createPrincipal(deps, { name: "app", admin: false });

    const bBytes = secureRandom(32);
    const b = new RawRootKey(bBytes);
    await expect(rotateRootKey({ ...deps, store: failingAfter(store, 60) }, b, { settleMs: 0 })).rejects.toThrow(
      "killed",
    );
    const half = await rootKeyStatus(store, ring);
    expect(half.find((u) => u.id === a.id)).toMatchObject({ state: "in use" });
    expect(half.find((u) => u.id === b.id)).toMatchObject({ state: "active" });
    expect(half.find((u) => u.id === a.id)!.versions).toBeGreaterThan(0);
    expect(half.find((u) => u.id === b.id)!.versions).toBeGreaterThan(0);
    // Only the new key: rows remain under the old one, which it cannot open.
    expect(await refusal(open(store, new RawRootKey(bBytes)))).toBe("refused");
    // The old key still starts an instance, which learns the new one from its stored copy.
    const other = await open(store, new RawRootKey(aBytes));
    expect(other.activeId).toBe(b.id);

    const result = await rotateRootKey(deps, b, { settleMs: 0 });
    expect(result.retired).toEqual([a.id]);
    const done = await rootKeyStatus(store, ring);
    expect(done.find((u) => u.id === a.id)).toMatchObject({ state: "retired", versions: 0, principals: 0 });
    expect(done.find((u) => u.id === b.id)).toMatchObject({ state: "active", versions: 120, principals: 1 });
    expect((await store.listRootKeys()).every((k) => k.wrapped === null)).toBe(true);

    expect(await refusal(open(store, new RawRootKey(aBytes)))).toBe("refused");
    const fresh = await open(store, new RawRootKey(bBytes));
    for (const [keyId, secret] of material) {
      const v = await store.getVersion(keyId, "v1");
      expect((await fresh.unwrap(keyId, "v1", v!.wrappedMaterial)).equals(secret)).toBe(true);
    }
    const principal = await store.getPrincipal("app");
    expect(await principalSecret({ keyring: fresh }, principal!)).toBe(created.secretAccessKey);
    // The material never changed: a ring holding only A cannot open what is now stored.
    const onlyA = await import("../../src/crypto/root-keyring.js").then(
      ({ RootKeyring }) => new RootKeyring({ keys: [new RawRootKey(aBytes)], active: a.id, random: secureRandom }),
    );
    const v = await store.getVersion("k-000", "v1");
    expect(await codeOf(onlyA.unwrap("k-000", "v1", v!.wrappedMaterial))).toBe("Internal");
    await store.close();
  });
});
