import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encodePrivateKey, encodePublicKey, generateKeyPairSync } from "../../../src/crypto/key-pairs.js";

const rsa = generateKeyPairSync("RSA_2048");
const ec = generateKeyPairSync("EC_P256K");

describe("generateKeyPairSync", () => {
  it("makes RSA keys with e = 65537 and the requested size", () => {
    const pub = createPublicKey({ key: rsa.publicKeyDer, format: "der", type: "spki" });
    expect(pub.asymmetricKeyType).toBe("rsa");
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(pub.asymmetricKeyDetails?.publicExponent).toBe(65537n);
  });

  it("uses secp256k1 for EC_P256K and prime256v1 for EC_P256", () => {
    const k1 = createPublicKey({ key: ec.publicKeyDer, format: "der", type: "spki" });
    expect(k1.asymmetricKeyDetails?.namedCurve).toBe("secp256k1");
    const p256 = createPublicKey({ key: generateKeyPairSync("EC_P256").publicKeyDer, format: "der", type: "spki" });
    expect(p256.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
  });
});

describe.each([
  ["RSA", rsa],
  ["EC", ec],
])("encoding a %s pair", (_name, pair) => {
  it("DER is a copy of the input", () => {
    const out = encodePublicKey(pair.publicKeyDer, "DER");
    expect(out.equals(pair.publicKeyDer)).toBe(true);
    out[0] = out[0]! ^ 1;
    expect(out.equals(pair.publicKeyDer)).toBe(false);
    expect(encodePrivateKey(pair.privateKeyDer, "DER").equals(pair.privateKeyDer)).toBe(true);
  });

  it("PEM is RFC 7468 text that OpenSSL parses back to the same keys", () => {
    const pubPem = encodePublicKey(pair.publicKeyDer, "PEM").toString("utf8");
    const privPem = encodePrivateKey(pair.privateKeyDer, "PEM").toString("utf8");
    expect(pubPem).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END PUBLIC KEY-----\n$/,
    );
    expect(privPem).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END PRIVATE KEY-----\n$/,
    );
    const pub = createPublicKey(pubPem);
    const priv = createPrivateKey(privPem);
    expect(pub.export({ type: "spki", format: "der" }).equals(pair.publicKeyDer)).toBe(true);
    expect(priv.export({ type: "pkcs8", format: "der" }).equals(pair.privateKeyDer)).toBe(true);
    const sig = sign("sha256", Buffer.from("m"), priv);
    expect(verify("sha256", Buffer.from("m"), pub, sig)).toBe(true);
  });
});
