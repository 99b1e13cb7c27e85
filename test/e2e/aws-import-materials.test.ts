import { randomBytes } from "node:crypto";
import {
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  type ExpirationModelType,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type ImportKeyMaterialCommandInput,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
} from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { errorName, useAwsTarget } from "../helpers/aws-target.js";
import { wrapForImport } from "../helpers/import-wrap.js";

/**
 * AWS's 2025 multi-material imported keys through the real AWS SDK against the real server: each
 * material has its own `KeyMaterialId`, terms and `KeyMaterialDescription`; `ImportKeyMaterial`
 * and `DeleteImportedKeyMaterial` act on the material `KeyMaterialId` names; `ListKeyRotations`
 * reports every material. Expiry through the real server's sweeper is in
 * `aws-import-expiry.test.ts`. The material is wrapped client-side with node:crypto.
 */
const aws = useAwsTarget();

type ImportOptions = Partial<
  Pick<ImportKeyMaterialCommandInput, "ImportType" | "KeyMaterialId" | "KeyMaterialDescription" | "ValidTo">
>;

async function importInto(keyId: string, material: Buffer, opts: ImportOptions = {}) {
  const params = await aws.kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
      WrappingKeySpec: "RSA_2048",
    }),
  );
  const model: ExpirationModelType = opts.ValidTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE";
  return aws.kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapForImport("RSA_AES_KEY_WRAP_SHA_256", params.PublicKey!, material),
      ExpirationModel: model,
      ...opts,
    }),
  );
}

const describeKey = async (keyId: string) =>
  (await aws.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;

const rotations = async (keyId: string, all = true) =>
  (
    await aws.kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, ...(all ? { IncludeKeyMaterial: "ALL_KEY_MATERIAL" } : {}) }),
    )
  ).Rotations!;

const decrypt = async (blob: Uint8Array | undefined) =>
  Buffer.from((await aws.kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();

/** An imported AES key with a first material, then a second one made current by RotateKeyOnDemand. */
async function twoMaterials(first: ImportOptions = {}, second: ImportOptions = {}) {
  const key = await aws.newKey({ Origin: "EXTERNAL" });
  const keyId = key.KeyId!;
  const m1 = randomBytes(32);
  const m2 = randomBytes(32);
  const a = (await importInto(keyId, m1, first)).KeyMaterialId!;
  const underA = await aws.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("under a") }));
  const b = (await importInto(keyId, m2, { ImportType: "NEW_KEY_MATERIAL", ...second })).KeyMaterialId!;
  await aws.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
  const underB = await aws.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("under b") }));
  return { keyId, m1, m2, a, b, underA, underB };
}

describe("KeyMaterialDescription", () => {
  it("is stored per material, reported by ListKeyRotations, kept when a re-import brings none", async () => {
    const validTo = new Date((Math.floor(Date.now() / 1000) + 30 * 86_400) * 1000);
    const k = await twoMaterials({ KeyMaterialDescription: "first: 2026/01" }, { ValidTo: validTo });
    const all = await rotations(k.keyId);
    expect(all).toEqual([
      {
        KeyId: expect.stringContaining(k.keyId),
        KeyMaterialId: k.a,
        KeyMaterialState: "NON_CURRENT",
        ImportState: "IMPORTED",
        ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
        KeyMaterialDescription: "first: 2026/01",
      },
      {
        KeyId: expect.stringContaining(k.keyId),
        KeyMaterialId: k.b,
        KeyMaterialState: "CURRENT",
        ImportState: "IMPORTED",
        ExpirationModel: "KEY_MATERIAL_EXPIRES",
        ValidTo: validTo,
        RotationDate: expect.any(Date),
        RotationType: "ON_DEMAND",
      },
    ]);
    expect((await rotations(k.keyId, false)).map((r) => r.KeyMaterialId)).toEqual([k.b]);
    const described = await describeKey(k.keyId);
    expect(described.ExpirationModel).toBe("KEY_MATERIAL_EXPIRES");
    expect(described.ValidTo).toEqual(validTo);

    await importInto(k.keyId, k.m1, { KeyMaterialId: k.a });
    expect((await rotations(k.keyId))[0]!.KeyMaterialDescription).toBe("first: 2026/01");
    await importInto(k.keyId, k.m1, { KeyMaterialDescription: "renamed" });
    expect((await rotations(k.keyId))[0]!.KeyMaterialDescription).toBe("renamed");
  });

  it("is refused outside AWS's pattern and on keys other than symmetric encryption keys", async () => {
    const key = await aws.newKey({ Origin: "EXTERNAL" });
    expect(await errorName(importInto(key.KeyId!, randomBytes(32), { KeyMaterialDescription: "no <html>" }))).toBe(
      "ValidationException",
    );
    expect(await errorName(importInto(key.KeyId!, randomBytes(32), { KeyMaterialDescription: "x".repeat(257) }))).toBe(
      "ValidationException",
    );
    const hmac = await aws.newKey({ Origin: "EXTERNAL", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    expect(await errorName(importInto(hmac.KeyId!, randomBytes(32), { KeyMaterialDescription: "mac" }))).toBe(
      "UnsupportedOperationException",
    );
    expect((await describeKey(key.KeyId!)).KeyState).toBe("PendingImport");
  });
});

describe("ImportType", () => {
  it("NEW_KEY_MATERIAL is a key's first import, as AWS's default for a key that never had material", async () => {
    const key = await aws.newKey({ Origin: "EXTERNAL" });
    const material = randomBytes(32);
    const first = await importInto(key.KeyId!, material, { ImportType: "NEW_KEY_MATERIAL" });
    const described = await describeKey(key.KeyId!);
    expect(described.KeyState).toBe("Enabled");
    expect(described.CurrentKeyMaterialId).toBe(first.KeyMaterialId);
    expect((await rotations(key.KeyId!)).map((r) => r.KeyMaterialState)).toEqual(["CURRENT"]);
    expect((await importInto(key.KeyId!, material)).KeyMaterialId).toBe(first.KeyMaterialId);
  });
});

describe("KeyMaterialId in ImportKeyMaterial", () => {
  it("re-imports into the named material only: unknown is NotFound, another material IncorrectKeyMaterial", async () => {
    const k = await twoMaterials();
    await aws.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.keyId, KeyMaterialId: k.a }));
    expect(await errorName(importInto(k.keyId, k.m1, { KeyMaterialId: "0".repeat(64) }))).toBe("NotFoundException");
    expect(await errorName(importInto(k.keyId, k.m2, { KeyMaterialId: k.a }))).toBe("IncorrectKeyMaterialException");
    expect(
      await errorName(importInto(k.keyId, randomBytes(32), { KeyMaterialId: k.a, ImportType: "NEW_KEY_MATERIAL" })),
    ).toBe("ValidationException");
    expect((await describeKey(k.keyId)).KeyState).toBe("PendingImport");
    const back = await importInto(k.keyId, k.m1, { KeyMaterialId: k.a });
    expect(back.KeyMaterialId).toBe(k.a);
    expect((await describeKey(k.keyId)).KeyState).toBe("Enabled");
  });
});

describe("KeyMaterialId in DeleteImportedKeyMaterial", () => {
  it("deletes one non-current material: the key waits for it, the other stays, re-import brings both ciphertexts back", async () => {
    const k = await twoMaterials();
    const deleted = await aws.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.keyId, KeyMaterialId: k.a }));
    expect(deleted.KeyMaterialId).toBe(k.a);
    const waiting = await describeKey(k.keyId);
    expect(waiting.KeyState).toBe("PendingImport");
    expect(waiting.CurrentKeyMaterialId).toBeUndefined();
    expect((await rotations(k.keyId)).map((r) => [r.KeyMaterialId, r.ImportState, r.ExpirationModel])).toEqual([
      [k.a, "PENDING_IMPORT", undefined],
      [k.b, "IMPORTED", "KEY_MATERIAL_DOES_NOT_EXPIRE"],
    ]);
    for (const blob of [k.underA, k.underB]) {
      expect(await errorName(decrypt(blob.CiphertextBlob))).toBe("KMSInvalidStateException");
    }
    expect(await errorName(importInto(k.keyId, randomBytes(32)))).toBe("IncorrectKeyMaterialException");
    await importInto(k.keyId, k.m1);
    expect((await describeKey(k.keyId)).KeyState).toBe("Enabled");
    expect(await decrypt(k.underA.CiphertextBlob)).toBe("under a");
    expect(await decrypt(k.underB.CiphertextBlob)).toBe("under b");
  });

  it("without KeyMaterialId deletes the current material; an unknown id is NotFound", async () => {
    const k = await twoMaterials();
    const deleted = await aws.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.keyId }));
    expect(deleted.KeyMaterialId).toBe(k.b);
    expect((await rotations(k.keyId)).map((r) => r.ImportState)).toEqual(["IMPORTED", "PENDING_IMPORT"]);
    expect(
      await errorName(
        aws.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.keyId, KeyMaterialId: "f".repeat(64) })),
      ),
    ).toBe("NotFoundException");
  });

  it("drops material pending rotation and leaves the key Enabled; different material may take its place", async () => {
    const key = await aws.newKey({ Origin: "EXTERNAL" });
    await importInto(key.KeyId!, randomBytes(32));
    const pending = await importInto(key.KeyId!, randomBytes(32), {
      ImportType: "NEW_KEY_MATERIAL",
      KeyMaterialDescription: "next",
    });
    const listed = await rotations(key.KeyId!);
    expect(listed.map((r) => r.KeyMaterialState)).toEqual(["CURRENT", "PENDING_ROTATION"]);
    expect(listed[1]).not.toHaveProperty("RotationDate");
    expect(await rotations(key.KeyId!, false)).toEqual([]);
    await aws.kms.send(
      new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId, KeyMaterialId: pending.KeyMaterialId }),
    );
    expect((await describeKey(key.KeyId!)).KeyState).toBe("Enabled");
    expect((await rotations(key.KeyId!)).map((r) => r.KeyMaterialState)).toEqual(["CURRENT"]);
    const other = await importInto(key.KeyId!, randomBytes(32), { ImportType: "NEW_KEY_MATERIAL" });
    expect(other.KeyMaterialId).not.toBe(pending.KeyMaterialId);
  });
});
