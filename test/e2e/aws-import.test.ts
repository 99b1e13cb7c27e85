import { constants, createPublicKey, generateKeyPairSync, randomBytes, verify as nodeVerify } from "node:crypto";
import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  EnableKeyCommand,
  ScheduleKeyDeletionCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  RotateKeyOnDemandCommand,
  SignCommand,
  type WrappingKeySpec,
} from "@aws-sdk/client-kms";
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { errorName, useAwsTarget } from "../helpers/aws-target.js";
import { type WrappingAlgorithmName, wrapForImport } from "../helpers/import-wrap.js";

/**
 * Importing key material (BYOK) through the real AWS SDK against the real server. The material is
 * wrapped here, on the client side, with node:crypto only — RSAES-OAEP for the OAEP algorithms,
 * RSAES-OAEP of an ephemeral AES-256 key plus AES key wrap with padding (RFC 5649) for the
 * RSA_AES_KEY_WRAP ones — exactly as a user following AWS's documentation would.
 */
const aws = useAwsTarget();

async function importInto(
  keyId: string,
  material: Buffer,
  opts: {
    algorithm?: WrappingAlgorithmName;
    spec?: WrappingKeySpec;
    validTo?: Date;
    importType?: "NEW_KEY_MATERIAL";
  } = {},
) {
  const algorithm = opts.algorithm ?? "RSAES_OAEP_SHA_256";
  const params = await aws.kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: algorithm,
      WrappingKeySpec: opts.spec ?? "RSA_2048",
    }),
  );
  return aws.kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapForImport(algorithm, params.PublicKey!, material),
      ...(opts.validTo
        ? { ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: opts.validTo }
        : { ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
      ...(opts.importType ? { ImportType: opts.importType } : {}),
    }),
  );
}

async function state(keyId: string) {
  return (await aws.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
}

describe("GetParametersForImport", () => {
  it("answers an RSA public key of the asked size, valid for 24 hours, only for EXTERNAL keys", async () => {
    const key = await aws.newKey({ Origin: "EXTERNAL" });
    expect(key.Origin).toBe("EXTERNAL");
    expect(key.KeyState).toBe("PendingImport");
    expect(key.Enabled).toBe(false);
    const before = Date.now();
    const params = await aws.kms.send(
      new GetParametersForImportCommand({
        KeyId: key.KeyId,
        WrappingAlgorithm: "RSAES_OAEP_SHA_1",
        WrappingKeySpec: "RSA_3072",
      }),
    );
    const pub = createPublicKey({ key: Buffer.from(params.PublicKey!), format: "der", type: "spki" });
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(3072);
    const validFor = params.ParametersValidTo!.getTime() - before;
    expect(validFor).toBeGreaterThan(23.9 * 3600_000);
    expect(validFor).toBeLessThan(24.1 * 3600_000);
    const generated = await aws.newKey();
    expect(
      await errorName(
        aws.kms.send(
          new GetParametersForImportCommand({
            KeyId: generated.KeyId,
            WrappingAlgorithm: "RSAES_OAEP_SHA_256",
            WrappingKeySpec: "RSA_2048",
          }),
        ),
      ),
    ).toBe("UnsupportedOperationException");
  });
});

describe("ImportKeyMaterial", () => {
  for (const algorithm of [
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "RSA_AES_KEY_WRAP_SHA_1",
    "RSA_AES_KEY_WRAP_SHA_256",
  ] as const) {
    it(`imports AES material wrapped with ${algorithm}; ciphertexts open again after delete and re-import`, async () => {
      const key = await aws.newKey({ Origin: "EXTERNAL" });
      const material = randomBytes(32);
      const imported = await importInto(key.KeyId!, material, { algorithm });
      expect(imported.KeyMaterialId).toBeTruthy();
      const described = await state(key.KeyId!);
      expect(described.KeyState).toBe("Enabled");
      expect(described.ExpirationModel).toBe("KEY_MATERIAL_DOES_NOT_EXPIRE");
      expect(described.CurrentKeyMaterialId).toBe(imported.KeyMaterialId);
      const plaintext = randomBytes(100);
      const enc = await aws.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext }));

      await aws.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
      expect((await state(key.KeyId!)).KeyState).toBe("PendingImport");
      expect(await errorName(aws.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).toBe(
        "KMSInvalidStateException",
      );

      expect(await errorName(importInto(key.KeyId!, randomBytes(32), { algorithm }))).toBe(
        "IncorrectKeyMaterialException",
      );
      const again = await importInto(key.KeyId!, material, { algorithm });
      expect(again.KeyMaterialId).toBe(imported.KeyMaterialId);
      const dec = await aws.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
      expect(Buffer.from(dec.Plaintext!)).toEqual(plaintext);
    });
  }

  it("refuses a token made for another key, and material wrapped under another wrapping key", async () => {
    const a = await aws.newKey({ Origin: "EXTERNAL" });
    const b = await aws.newKey({ Origin: "EXTERNAL" });
    const params = await aws.kms.send(
      new GetParametersForImportCommand({
        KeyId: a.KeyId,
        WrappingAlgorithm: "RSAES_OAEP_SHA_256",
        WrappingKeySpec: "RSA_2048",
      }),
    );
    const wrapped = wrapForImport("RSAES_OAEP_SHA_256", params.PublicKey!, randomBytes(32));
    const send = (KeyId: string, ImportToken: Uint8Array, EncryptedKeyMaterial: Uint8Array) =>
      aws.kms.send(
        new ImportKeyMaterialCommand({
          KeyId,
          ImportToken,
          EncryptedKeyMaterial,
          ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
      );
    expect(await errorName(send(b.KeyId!, params.ImportToken!, wrapped))).toBe("InvalidImportTokenException");
    const tampered = Buffer.from(params.ImportToken!);
    tampered[tampered.length - 1]! ^= 1;
    expect(await errorName(send(a.KeyId!, tampered, wrapped))).toBe("InvalidImportTokenException");
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({
      format: "der",
      type: "spki",
    });
    expect(
      await errorName(
        send(a.KeyId!, params.ImportToken!, wrapForImport("RSAES_OAEP_SHA_256", stranger, randomBytes(32))),
      ),
    ).toBe("InvalidCiphertextException");
    expect((await state(a.KeyId!)).KeyState).toBe("PendingImport");
  });

  it("takes ValidTo with KEY_MATERIAL_EXPIRES and refuses a ValidTo in the past", async () => {
    const key = await aws.newKey({ Origin: "EXTERNAL" });
    const validTo = new Date(Math.floor(Date.now() / 1000) * 1000 + 7 * 86_400_000);
    await importInto(key.KeyId!, randomBytes(32), { validTo });
    const described = await state(key.KeyId!);
    expect(described.ExpirationModel).toBe("KEY_MATERIAL_EXPIRES");
    expect(described.ValidTo?.getTime()).toBe(validTo.getTime());
    expect(await errorName(importInto(key.KeyId!, randomBytes(32), { validTo: new Date(Date.now() - 1000) }))).toBe(
      "ValidationException",
    );
  });

  it("imports HMAC, RSA and EC private keys whose results verify with node:crypto", async () => {
    const hmacKey = await aws.newKey({ Origin: "EXTERNAL", KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    const secret = randomBytes(48);
    await importInto(hmacKey.KeyId!, secret);
    const message = Buffer.from("imported");
    const mac = await aws.kms.send(
      new GenerateMacCommand({ KeyId: hmacKey.KeyId, Message: message, MacAlgorithm: "HMAC_SHA_256" }),
    );
    expect(Buffer.from(mac.Mac!)).toEqual(createHmac("sha256", secret).update(message).digest());

    for (const [spec, pair] of [
      ["RSA_2048", generateKeyPairSync("rsa", { modulusLength: 2048 })],
      ["ECC_NIST_P256", generateKeyPairSync("ec", { namedCurve: "prime256v1" })],
    ] as const) {
      const key = await aws.newKey({ Origin: "EXTERNAL", KeySpec: spec, KeyUsage: "SIGN_VERIFY" });
      const der = pair.privateKey.export({ format: "der", type: "pkcs8" });
      await importInto(key.KeyId!, der, { algorithm: "RSA_AES_KEY_WRAP_SHA_256", spec: "RSA_4096" });
      const algorithm = spec === "RSA_2048" ? "RSASSA_PSS_SHA_256" : "ECDSA_SHA_256";
      const sig = await aws.kms.send(
        new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: algorithm }),
      );
      const options =
        spec === "RSA_2048"
          ? { key: pair.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
          : { key: pair.publicKey, dsaEncoding: "der" as const };
      expect(nodeVerify("sha256", message, options, Buffer.from(sig.Signature!))).toBe(true);
    }
  });

  it("refuses material that does not fit the key spec", async () => {
    const key = await aws.newKey({ Origin: "EXTERNAL", KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    const wrongCurve = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey.export({
      format: "der",
      type: "pkcs8",
    });
    expect(await errorName(importInto(key.KeyId!, wrongCurve, { algorithm: "RSA_AES_KEY_WRAP_SHA_1" }))).toBe(
      "IncorrectKeyMaterialException",
    );
    const aes = await aws.newKey({ Origin: "EXTERNAL" });
    expect(await errorName(importInto(aes.KeyId!, randomBytes(16)))).toBe("IncorrectKeyMaterialException");
  });
});

describe("on-demand rotation of an imported symmetric key", () => {
  it("takes new imported material; old ciphertexts still open; without new material it is refused", async () => {
    const key = await aws.newKey({ Origin: "EXTERNAL" });
    const first = await importInto(key.KeyId!, randomBytes(32));
    expect(await errorName(aws.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).toBe(
      "UnsupportedOperationException",
    );
    const old = await aws.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("old") }));
    const second = await importInto(key.KeyId!, randomBytes(32), { importType: "NEW_KEY_MATERIAL" });
    expect(second.KeyMaterialId).not.toBe(first.KeyMaterialId);
    expect((await state(key.KeyId!)).CurrentKeyMaterialId).toBe(first.KeyMaterialId);
    await aws.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    expect((await state(key.KeyId!)).CurrentKeyMaterialId).toBe(second.KeyMaterialId);
    const fresh = await aws.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from("new") }));
    for (const [blob, text] of [
      [old.CiphertextBlob, "old"],
      [fresh.CiphertextBlob, "new"],
    ] as const) {
      const dec = await aws.kms.send(new DecryptCommand({ CiphertextBlob: blob }));
      expect(Buffer.from(dec.Plaintext!).toString()).toBe(text);
    }
  });

  it("returns a key without material to PendingImport when its deletion is cancelled", async () => {
    const key = await aws.newKey({ Origin: "EXTERNAL" });
    await aws.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect((await state(key.KeyId!)).KeyState).toBe("PendingDeletion");
    expect(
      await errorName(
        aws.kms.send(
          new GetParametersForImportCommand({
            KeyId: key.KeyId,
            WrappingAlgorithm: "RSAES_OAEP_SHA_256",
            WrappingKeySpec: "RSA_2048",
          }),
        ),
      ),
    ).toBe("KMSInvalidStateException");
    await aws.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await state(key.KeyId!)).KeyState).toBe("PendingImport");
    expect(await errorName(aws.kms.send(new EnableKeyCommand({ KeyId: key.KeyId })))).toBe("KMSInvalidStateException");
  });

  it("refuses CreateKey with a custom key store origin", async () => {
    expect(await errorName(aws.kms.send(new CreateKeyCommand({ Origin: "AWS_CLOUDHSM" })))).toBe(
      "UnsupportedOperationException",
    );
  });
});
