import { generateKeyPairSync, type KeyObject, randomBytes, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { mlDsaMuAvailable, signMu, verifyMu } from "../../../src/crypto/ml-dsa-mu.js";
import { sign, verify } from "../../../src/crypto/signing.js";
import type { KeySpec } from "../../../src/domain/types.js";
import { externalMu, runtimeHasPostQuantum } from "../../helpers/post-quantum.js";
import { expectKmsError, flip } from "./helpers.js";

/**
 * The ml-dsa-mu addon's wrapper (`src/crypto/ml-dsa-mu.ts`) and its use by `signing.ts`. Where the
 * runtime has ML-DSA and `npm install` built the addon (Node.js 24; .ci/run fails its Node.js 24
 * pass if it did not), signatures of mu are checked by node:crypto as pure ML-DSA over the
 * message; elsewhere EXTERNAL_MU must be `UnsupportedOperation`.
 */
const PQ = runtimeHasPostQuantum();
const MU = mlDsaMuAvailable();
const TYPES = [
  { spec: "ML_DSA_44", type: "ml-dsa-44", signatureBytes: 2420 },
  { spec: "ML_DSA_65", type: "ml-dsa-65", signatureBytes: 3309 },
  { spec: "ML_DSA_87", type: "ml-dsa-87", signatureBytes: 4627 },
] as const;

function pair(type: string): { publicKey: KeyObject; spki: Buffer; pkcs8: Buffer } {
  const { publicKey, privateKey } = generateKeyPairSync(type as "ed25519");
  return {
    publicKey,
    spki: publicKey.export({ format: "der", type: "spki" }),
    pkcs8: privateKey.export({ format: "der", type: "pkcs8" }),
  };
}

describe.runIf(PQ && MU)("ML-DSA from an external mu (addon built)", () => {
  describe.each(TYPES)("$type", ({ spec, type, signatureBytes }) => {
    let key: ReturnType<typeof pair>;
    beforeAll(() => {
      key = pair(type);
    });

    it("the test's mu uses the raw public key node:crypto exports (JWK `pub`)", () => {
      const jwk = key.publicKey.export({ format: "jwk" }) as { pub?: string };
      const message = randomBytes(100);
      const viaJwk = externalMu(Buffer.concat([key.spki.subarray(0, 22), Buffer.from(jwk.pub!, "base64url")]), message);
      expect(viaJwk.equals(externalMu(key.spki, message))).toBe(true);
    });

    it.each([1, 4096, 70_000])("signMu over mu of a %i-byte message verifies as pure ML-DSA over it", (n) => {
      const message = randomBytes(n);
      const mu = externalMu(key.spki, message);
      const signature = signMu(key.pkcs8, mu);
      expect(signature).toHaveLength(signatureBytes);
      expect(nodeVerify(null, message, key.publicKey, signature)).toBe(true);
      expect(nodeVerify(null, flip(message, 0, 1), key.publicKey, signature)).toBe(false);
      expect(verifyMu(key.spki, mu, signature)).toBe(true);
      expect(verifyMu(key.spki, flip(mu, 63, 0x80), signature)).toBe(false);
      expect(verifyMu(key.spki, mu, flip(signature, 100, 1))).toBe(false);
      expect(verifyMu(key.spki, mu, signature.subarray(1))).toBe(false);
      expect(verifyMu(pair(type).spki, mu, signature)).toBe(false);
      // Hedged, as crypto.sign: two signatures of the same mu differ.
      expect(signMu(key.pkcs8, mu).equals(signature)).toBe(false);
    });

    it("verifyMu accepts node:crypto's own signature of the message", () => {
      const { publicKey, privateKey } = generateKeyPairSync(type as "ed25519");
      const spki = publicKey.export({ format: "der", type: "spki" });
      const message = randomBytes(5000);
      const signature = nodeSign(null, message, privateKey);
      expect(verifyMu(spki, externalMu(spki, message), signature)).toBe(true);
    });

    it("signing.ts signs and verifies EXTERNAL_MU through it; a 63- or 65-byte mu is InvalidArgument", () => {
      const message = randomBytes(9000);
      const mu = externalMu(key.spki, message);
      const p = { spec: spec as KeySpec, algorithm: "ML_DSA_SHAKE_256" as const, messageType: "EXTERNAL_MU" as const };
      const signature = sign({ ...p, privateKeyDer: key.pkcs8, message: mu });
      expect(nodeVerify(null, message, key.publicKey, signature)).toBe(true);
      expect(verify({ ...p, publicKeyDer: key.spki, message: mu, signature })).toBe(true);
      expect(verify({ ...p, publicKeyDer: key.spki, message: flip(mu, 0, 1), signature })).toBe(false);
      for (const wrong of [mu.subarray(1), Buffer.concat([mu, Buffer.alloc(1)])]) {
        expectKmsError(() => sign({ ...p, privateKeyDer: key.pkcs8, message: wrong }), "InvalidArgument");
        expectKmsError(() => verify({ ...p, publicKeyDer: key.spki, message: wrong, signature }), "InvalidArgument");
      }
    });
  });

  it("the addon refuses what is not an ML-DSA key, a wrong-length mu and non-Buffers, with an Error", () => {
    const ml = pair("ml-dsa-44");
    const mu = randomBytes(64);
    const ed = generateKeyPairSync("ed25519").privateKey.export({ format: "der", type: "pkcs8" });
    expect(() => signMu(ed, mu)).toThrow(/not an ML-DSA key/);
    expect(() => signMu(ml.spki, mu)).toThrow(/PKCS#8/);
    expect(() => signMu(Buffer.concat([ml.pkcs8, Buffer.alloc(1)]), mu)).toThrow(/PKCS#8/);
    expect(() => verifyMu(ml.pkcs8, mu, randomBytes(2420))).toThrow(/SPKI/);
    expect(() => signMu(ml.pkcs8, mu.subarray(1))).toThrow(RangeError);
    expect(() => signMu(ml.pkcs8, "mu" as unknown as Buffer)).toThrow(TypeError);
    // After the addon's failures node:crypto's own ML-DSA still works.
    expect(() => generateKeyPairSync("ml-dsa-44" as "ed25519")).not.toThrow();
  });
});

describe.runIf(!(PQ && MU))("EXTERNAL_MU without the addon (Node.js 20, or no C compiler at install)", () => {
  it("signMu and verifyMu are UnsupportedOperation, and so is a 64-byte EXTERNAL_MU in signing.ts", () => {
    expect(mlDsaMuAvailable()).toBe(false);
    expectKmsError(() => signMu(Buffer.alloc(8), randomBytes(64)), "UnsupportedOperation");
    expectKmsError(() => verifyMu(Buffer.alloc(8), randomBytes(64), randomBytes(8)), "UnsupportedOperation");
  });

  it.runIf(PQ)("signing.ts: a 64-byte EXTERNAL_MU is UnsupportedOperation, a 63-byte one InvalidArgument", () => {
    const key = pair("ml-dsa-44");
    const p = {
      spec: "ML_DSA_44" as const,
      algorithm: "ML_DSA_SHAKE_256" as const,
      messageType: "EXTERNAL_MU" as const,
    };
    expectKmsError(() => sign({ ...p, privateKeyDer: key.pkcs8, message: randomBytes(64) }), "UnsupportedOperation");
    expectKmsError(() => sign({ ...p, privateKeyDer: key.pkcs8, message: randomBytes(63) }), "InvalidArgument");
  });
});
