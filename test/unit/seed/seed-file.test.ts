import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { seededVersionId } from "../../../src/seed/apply-seed.js";
import { parseSeedFile, SeedError } from "../../../src/seed/seed-file.js";

const ID = "bc436485-5092-42b8-92a3-0aa8b93536dc";
const HEX = "34743777217A25432A46294A404E635266556A586E3272357538782F413F4428";

function aes(metadata: string, extra = `        BackingKeys:\n          - ${HEX}\n`): string {
  return `Keys:\n  Symmetric:\n    Aes:\n      - Metadata:\n          KeyId: ${ID}\n${metadata}${extra}`;
}

function refusal(source: string): string {
  try {
    parseSeedFile(source);
  } catch (err) {
    expect(err).toBeInstanceOf(SeedError);
    return (err as Error).message;
  }
  throw new Error("expected the seed file to be refused");
}

describe("seed file parsing", () => {
  it("reads local-kms's rotated AES key: every backing key in order, rotation date, description", () => {
    const plan = parseSeedFile(
      aes(
        "          Description: rotated\n",
        `        NextKeyRotation: "2019-09-12T15:19:21+00:00"\n        BackingKeys:\n          - ${HEX}\n          - ${"61".repeat(32)}\n`,
      ),
    );
    const key = plan.keys[0]!;
    expect(key).toMatchObject({ id: ID, spec: "AES_256", usage: "ENCRYPT_DECRYPT", description: "rotated" });
    expect(key.secrets.map((s) => s.toString("hex"))).toEqual([HEX.toLowerCase(), "61".repeat(32)]);
    expect(key.nextRotation?.toISOString()).toBe("2019-09-12T15:19:21.000Z");
  });

  it("accepts the AWS spelling of a symmetric spec, as local-kms files carry it", () => {
    expect(parseSeedFile(aes("          KeySpec: SYMMETRIC_DEFAULT\n")).keys[0]?.spec).toBe("AES_256");
    expect(parseSeedFile(aes("          KeySpec: AES_256\n")).keys[0]?.spec).toBe("AES_256");
  });

  it("takes the spec of a PEM key from the key itself", () => {
    const pem = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    const text = `Keys:\n  Asymmetric:\n    Ecc:\n      - Metadata:\n          KeyId: ${ID}\n        PrivateKeyPem: |\n${String(
      pem,
    )
      .trim()
      .split("\n")
      .map((l) => `          ${l}`)
      .join("\n")}\n`;
    const key = parseSeedFile(text).keys[0]!;
    expect([key.spec, key.usage, key.publicKey?.length]).toEqual(["EC_P256K", "SIGN_VERIFY", 88]);
  });

  it.each([
    ["HMAC_224", 28],
    ["HMAC_384", 48],
    ["HMAC_512", 64],
  ] as const)("reads an %s key of %i bytes (the catalogue's spec and size)", (spec, bytes) => {
    const hex = "ab".repeat(bytes);
    const text = `Keys:\n  Symmetric:\n    Hmac:\n      - Metadata:\n          KeyId: ${ID}\n          KeySpec: ${spec}\n        BackingKeys: [${hex}]\n`;
    const key = parseSeedFile(text).keys[0]!;
    expect([key.spec, key.usage, key.secrets[0]?.toString("hex")]).toEqual([spec, "GENERATE_VERIFY_MAC", hex]);
  });

  it.each([
    ["secp384r1", "EC_P384"],
    ["secp521r1", "EC_P521"],
  ] as const)("reads an ECC key on %s as %s", (namedCurve, spec) => {
    const pem = generateKeyPairSync("ec", { namedCurve }).privateKey.export({ type: "pkcs8", format: "pem" });
    const indented = String(pem)
      .trim()
      .split("\n")
      .map((l) => `          ${l}`)
      .join("\n");
    const text = `Keys:\n  Asymmetric:\n    Ecc:\n      - Metadata:\n          KeyId: ${ID}\n          KeyUsage: KEY_AGREEMENT\n        PrivateKeyPem: |\n${indented}\n`;
    expect(parseSeedFile(text).keys[0]).toMatchObject({ spec, usage: "KEY_AGREEMENT" });
  });

  it("refuses what it cannot honour, naming the place and never quoting material", () => {
    expect(refusal(aes("          Colour: red\n"))).toContain(
      "Keys.Symmetric.Aes[0].Metadata: unknown member 'Colour'",
    );
    expect(refusal(aes("", `        BackingKeys:\n          - ${HEX.slice(2)}\n`))).toContain(
      "Keys.Symmetric.Aes[0].BackingKeys[0]: expected 32 bytes",
    );
    expect(refusal(aes("          Origin: EXTERNAL\n", ""))).toContain("keys pending import are not supported");
    expect(refusal(aes("", `        BackingKeys:\n          - ${HEX.slice(2)}zz\n`))).not.toContain(HEX.slice(2, 20));
    expect(
      refusal(`Keys:\n  Symmetric:\n    Aes:\n      - Metadata:\n          KeyId: 0xf39fd6e51aad88f6\n`),
    ).toContain("KeyId: expected a lower-case UUID");
    expect(
      refusal(
        `Keys:\n  Symmetric:\n    Hmac:\n      - Metadata:\n          KeyId: ${ID}\n          KeySpec: HMAC_1024\n        BackingKeys: [${HEX}]\n`,
      ),
    ).toContain("HMAC_1024 is not supported");
    expect(
      refusal(
        `Keys:\n  Symmetric:\n    Hmac:\n      - Metadata:\n          KeyId: ${ID}\n          KeySpec: HMAC_512\n        BackingKeys: [${HEX}]\n`,
      ),
    ).toContain("BackingKeys[0]: expected 64 bytes");
    const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    expect(
      refusal(
        `Keys:\n  Asymmetric:\n    Rsa:\n      - Metadata:\n          KeyId: ${ID}\n        PrivateKeyPem: ${JSON.stringify(rsa1024)}\n`,
      ),
    ).toContain("expected an RSA 2048/3072/4096 key");
    expect(refusal("Keys: [")).toMatch(/^not valid YAML/);
    const twice = `${aes("")}      - Metadata:\n          KeyId: ${ID}\n        BackingKeys: [${HEX}]\n`;
    expect(refusal(twice)).toContain(`the key id ${ID} appears twice`);
  });
});

describe("seeded version ids", () => {
  it("are UUIDs fixed by the key id and position", () => {
    const v0 = seededVersionId(ID, 0);
    expect(v0).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(seededVersionId(ID, 0)).toBe(v0);
    expect(seededVersionId(ID, 1)).not.toBe(v0);
    expect(seededVersionId("49c5492b-b1bc-42a8-9a5c-b2015e810c1c", 0)).not.toBe(v0);
  });
});
