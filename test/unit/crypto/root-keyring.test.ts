import { createCipheriv, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KmsError } from "../../../src/domain/errors.js";
import { additionalData } from "../../../src/crypto/encryption-context.js";
import { secureRandom } from "../../../src/crypto/random.js";
import { RawRootKey, rawRootKeyId } from "../../../src/crypto/root-key.js";
import { RootKeyring } from "../../../src/crypto/root-keyring.js";
import { flip } from "./helpers.js";

function ringOf(...keys: RawRootKey[]): RootKeyring {
  return new RootKeyring({ keys, active: keys[0]!.id, random: secureRandom });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof KmsError ? err.code : "not a KmsError";
  }
  return "resolved";
}

describe("RootKeyring", () => {
  const bytes = secureRandom(32);
  const root = new RawRootKey(bytes);
  const ring = ringOf(root);
  const material = secureRandom(32);

  it("wraps as 0x02 ‖ id length ‖ root key id ‖ iv(12) ‖ ct ‖ tag(16) and unwraps", async () => {
    const wrapped = await ring.wrap("key-1", "v1", material);
    const id = Buffer.from(root.id);
    expect(wrapped[0]).toBe(0x02);
    expect(wrapped[1]).toBe(id.length);
    expect(wrapped.subarray(2, 2 + id.length).equals(id)).toBe(true);
    expect(wrapped.length).toBe(2 + id.length + 12 + material.length + 16);
    expect(wrapped.includes(material)).toBe(false);
    expect(ring.rootKeyOf(wrapped)).toBe(root.id);
    expect((await ring.unwrap("key-1", "v1", wrapped)).equals(material)).toBe(true);
  });

  it("refuses a row moved to another key or version, a flipped byte, or another root key", async () => {
    const wrapped = await ring.wrap("key-1", "v1", material);
    expect(await codeOf(ring.unwrap("key-2", "v1", wrapped))).toBe("Internal");
    expect(await codeOf(ring.unwrap("key-1", "v2", wrapped))).toBe("Internal");
    expect(await codeOf(ring.unwrap("key-1v", "1", wrapped))).toBe("Internal");
    expect(await codeOf(ringOf(new RawRootKey(secureRandom(32))).unwrap("key-1", "v1", wrapped))).toBe("Internal");
    for (let i = 0; i < wrapped.length; i++) {
      expect(await codeOf(ring.unwrap("key-1", "v1", flip(wrapped, i, 0x40)))).toBe("Internal");
    }
    expect(await codeOf(ring.unwrap("key-1", "v1", wrapped.subarray(0, 30)))).toBe("Internal");
  });

  it("names a raw key by its stored check value, HMAC-SHA-256(key, label)[0..16]", () => {
    const check = createHmac("sha256", bytes).update("kms/v1 key check value").digest().subarray(0, 16);
    expect(root.id).toBe(rawRootKeyId(check.toString("base64")));
    expect(root.id).toBe(`raw-${check.subarray(0, 6).toString("hex")}`);
    expect(new RawRootKey(secureRandom(32)).id).not.toBe(root.id);
  });

  it("reads form v1 rows under the legacy key that databases from before the keyring name", async () => {
    const iv = secureRandom(12);
    const cipher = createCipheriv("aes-256-gcm", bytes, iv);
    cipher.setAAD(additionalData([Buffer.from("kms/v1 wrap"), Buffer.from("key-1"), Buffer.from("v1")]));
    const v1 = Buffer.concat([Buffer.of(1), iv, cipher.update(material), cipher.final(), cipher.getAuthTag()]);
    const legacy = new RootKeyring({ keys: [root], active: root.id, random: secureRandom, legacyId: root.id });
    expect(legacy.rootKeyOf(v1)).toBe(root.id);
    expect((await legacy.unwrap("key-1", "v1", v1)).equals(material)).toBe(true);
    const moved = await legacy.rewrap("key-1", "v1", v1, root.id);
    expect(moved[0]).toBe(0x02);
    expect((await legacy.unwrap("key-1", "v1", moved)).equals(material)).toBe(true);
  });

  it("re-wraps under another root key; both stay readable while the ring holds both", async () => {
    const next = new RawRootKey(secureRandom(32));
    const both = ringOf(root, next);
    const old = await both.wrap("k", "v", material);
    const moved = await both.rewrap("k", "v", old, next.id);
    expect(both.rootKeyOf(moved)).toBe(next.id);
    expect((await ringOf(next).unwrap("k", "v", moved)).equals(material)).toBe(true);
    expect(await codeOf(ringOf(root).unwrap("k", "v", moved))).toBe("Internal");
  });

  it("learns a root key it does not hold from a copy wrapped under one it does, once for concurrent callers", async () => {
    const next = new RawRootKey(secureRandom(32));
    const nextBytes = secureRandom(32);
    const nextKey = new RawRootKey(nextBytes);
    const copy = await ring.wrapRootKey(root.id, nextKey.id, nextBytes);
    let lookups = 0;
    const learning = new RootKeyring({
      keys: [root],
      active: root.id,
      random: secureRandom,
      learn: async (id, r) => {
        lookups++;
        return id === nextKey.id ? new RawRootKey(await r.unwrapRootKey(id, copy)) : null;
      },
    });
    const blob = await ringOf(nextKey).wrap("k", "v", material);
    const results = await Promise.all([1, 2, 3].map(() => learning.unwrap("k", "v", blob)));
    for (const r of results) expect(r.equals(material)).toBe(true);
    expect(lookups).toBe(1);
    expect(await learning.activate(next.id)).toBe(false);
    expect(await learning.activate(nextKey.id)).toBe(true);
    expect(learning.rootKeyOf(await learning.wrap("k", "v", material))).toBe(nextKey.id);
    expect(await codeOf(ring.unwrapRootKey(nextKey.id, flip(copy, copy.length - 1, 1)))).not.toBe("resolved");
  });

  it("keeps its own copy of a raw root key", async () => {
    const key = secureRandom(32);
    const r = ringOf(new RawRootKey(key));
    const wrapped = await r.wrap("k", "v", material);
    key.fill(0);
    expect((await r.unwrap("k", "v", wrapped)).equals(material)).toBe(true);
  });
});
