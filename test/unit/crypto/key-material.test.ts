import { createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KeySpec } from "../../../src/domain/types.js";
import { generateKeyMaterial } from "../../../src/crypto/key-material.js";
import type { KeyPairGenerator } from "../../../src/crypto/key-pairs.js";
import { createInlineKeyPairGenerator } from "../../../src/crypto/pool/worker-pool.js";
import { secureRandom } from "../../../src/crypto/random.js";

/** Records what the material function asks the generator for. */
function spyGenerator(): KeyPairGenerator & { calls: Array<{ spec: KeySpec; signal?: AbortSignal }> } {
  const inline = createInlineKeyPairGenerator();
  const calls: Array<{ spec: KeySpec; signal?: AbortSignal }> = [];
  return {
    calls,
    generate: (spec, signal) => {
      calls.push({ spec, signal });
      return inline.generate(spec, signal);
    },
    close: () => inline.close(),
  };
}

describe("generateKeyMaterial", () => {
  it.each(["AES_256", "HMAC_256"] as const)(
    "%s: 32 bytes from the injected random source, no public key",
    async (spec) => {
      const gen = spyGenerator();
      const fixed = Buffer.alloc(32, 0xab);
      const m = await generateKeyMaterial(spec, gen, (n) => (n === 32 ? Buffer.from(fixed) : Buffer.alloc(n)));
      expect(m.secret.equals(fixed)).toBe(true);
      expect(m.publicKey).toBeNull();
      expect(gen.calls).toHaveLength(0);
    },
  );

  it("refuses a random source that returns the wrong length", async () => {
    await expect(generateKeyMaterial("AES_256", spyGenerator(), () => Buffer.alloc(16))).rejects.toThrow();
  });

  it.each(["EC_P256", "RSA_2048"] as const)(
    "%s: PKCS#8 secret and SPKI public key from the generator",
    async (spec) => {
      const gen = spyGenerator();
      const signal = new AbortController().signal;
      const m = await generateKeyMaterial(spec, gen, secureRandom, signal);
      expect(gen.calls).toEqual([{ spec, signal }]);
      const priv = createPrivateKey({ key: m.secret, format: "der", type: "pkcs8" });
      const pub = createPublicKey({ key: m.publicKey!, format: "der", type: "spki" });
      expect(
        createPublicKey(priv)
          .export({ type: "spki", format: "der" })
          .equals(pub.export({ type: "spki", format: "der" })),
      ).toBe(true);
    },
  );
});
