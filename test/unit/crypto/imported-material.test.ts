import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importedMaterial } from "../../../src/crypto/imported-material.js";
import { expectKmsError } from "./helpers.js";

const pkcs8 = (k: ReturnType<typeof generateKeyPairSync>["privateKey"]) => k.export({ type: "pkcs8", format: "der" });

describe("importedMaterial", () => {
  it.each([
    ["HMAC_224", 28, 64],
    ["HMAC_256", 32, 64],
    ["HMAC_384", 48, 128],
    ["HMAC_512", 64, 128],
  ] as const)("%s takes %i..%i bytes (AWS's range: the hash's output to its block)", (spec, min, max) => {
    expect(importedMaterial(spec, Buffer.alloc(min, 1)).secret.length).toBe(min);
    expect(importedMaterial(spec, Buffer.alloc(max, 1)).secret.length).toBe(max);
    expectKmsError(() => importedMaterial(spec, Buffer.alloc(min - 1, 1)), "IncorrectKeyMaterial");
    expectKmsError(() => importedMaterial(spec, Buffer.alloc(max + 1, 1)), "IncorrectKeyMaterial");
  });

  it("takes an Ed25519 PKCS#8 key for ED25519 with its SPKI, and refuses it for an EC spec", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const out = importedMaterial("ED25519", pkcs8(privateKey));
    expect(out.publicKey?.equals(publicKey.export({ type: "spki", format: "der" }))).toBe(true);
    expectKmsError(() => importedMaterial("EC_P256", pkcs8(privateKey)), "IncorrectKeyMaterial");
  });

  it("takes a P-521 key only for EC_P521, and an EC key never for ED25519", () => {
    const p521 = generateKeyPairSync("ec", { namedCurve: "secp521r1" }).privateKey;
    const out = importedMaterial("EC_P521", pkcs8(p521));
    expect(createPublicKey({ key: out.publicKey!, format: "der", type: "spki" }).asymmetricKeyDetails?.namedCurve).toBe(
      "secp521r1",
    );
    expectKmsError(() => importedMaterial("EC_P384", pkcs8(p521)), "IncorrectKeyMaterial");
    expectKmsError(() => importedMaterial("ED25519", pkcs8(p521)), "IncorrectKeyMaterial");
  });
});
