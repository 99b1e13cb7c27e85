import { constants, createPublicKey, publicEncrypt, randomBytes } from "node:crypto";
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyLastUsageCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  type KMSClient,
  ListGrantsCommand,
  ListKeyPoliciesCommand,
  ListKeyRotationsCommand,
  ReEncryptCommand,
  RetireGrantCommand,
  RotateKeyOnDemandCommand,
  SignCommand,
  UpdateAliasCommand,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClient, awsErrorName, createPrincipal, sqliteArgs } from "../helpers/security.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * The newer AWS KMS behaviours through the real AWS SDK against the real server: key material
 * ids, on-demand rotation's schedule and limit, ListKeyPolicies, DryRun, ReEncrypt between RSA
 * keys, UpdateAlias's type rule and CreateKey's required KeyUsage.
 */
let server: ServerProcess;
let kms: KMSClient;
let stranger: KMSClient;

beforeAll(async () => {
  server = await startServer();
  kms = awsClient(server.url, TEST_ADMIN);
  const dave = await createPrincipal(sqliteArgs(server.dataDir), "dave");
  stranger = awsClient(server.url, dave);
});

afterAll(async () => {
  kms?.destroy();
  stranger?.destroy();
  await server?.stop();
});

const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) =>
  (await kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const describe_ = async (KeyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;

describe("key material ids and on-demand rotation", () => {
  it("CurrentKeyMaterialId changes on rotation; Decrypt, ReEncrypt and ListKeyRotations name the material", async () => {
    const key = await newKey();
    const KeyId = key.KeyId!;
    const first = key.CurrentKeyMaterialId!;
    expect(first).toBeTruthy();
    const enc = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("m") }));
    await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    const second = (await describe_(KeyId)).CurrentKeyMaterialId!;
    expect(second).not.toBe(first);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    expect(dec.KeyMaterialId).toBe(first);
    const re = await kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: KeyId }));
    expect(re.SourceKeyMaterialId).toBe(first);
    expect(re.DestinationKeyMaterialId).toBe(second);
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId }));
    expect(rotations.Rotations?.map((r) => r.KeyMaterialId)).toEqual([second]);
  });

  it("RotateKeyOnDemand keeps NextRotationDate and RotationPeriodInDays; the 11th is LimitExceededException", async () => {
    const { KeyId } = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 180 }));
    const before = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    for (let i = 0; i < 10; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    const after = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    expect(after.NextRotationDate?.getTime()).toBe(before.NextRotationDate?.getTime());
    expect(after.RotationPeriodInDays).toBe(180);
    expect(await awsErrorName(kms.send(new RotateKeyOnDemandCommand({ KeyId })))).toBe("LimitExceededException");
    expect((await kms.send(new ListKeyRotationsCommand({ KeyId, Limit: 100 }))).Rotations).toHaveLength(10);
  });
});

describe("ListKeyPolicies", () => {
  it("answers [default], and only to a caller allowed on the key", async () => {
    const { KeyId } = await newKey();
    const out = await kms.send(new ListKeyPoliciesCommand({ KeyId }));
    expect(out.PolicyNames).toEqual(["default"]);
    expect(out.Truncated).toBe(false);
    expect(await awsErrorName(stranger.send(new ListKeyPoliciesCommand({ KeyId })))).toBe("AccessDeniedException");
  });
});

describe("GetKeyLastUsage", () => {
  it("is empty for a new key, then names the last successful cryptographic call and its request id", async () => {
    const key = await newKey();
    const KeyId = key.KeyId!;
    const fresh = await kms.send(new GetKeyLastUsageCommand({ KeyId }));
    expect(fresh.KeyLastUsage).toEqual({});
    expect(fresh.KeyCreationDate?.getTime()).toBe(key.CreationDate?.getTime());
    const enc = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("x") }));
    const afterEncrypt = await kms.send(new GetKeyLastUsageCommand({ KeyId }));
    expect(afterEncrypt.KeyLastUsage?.Operation).toBe("Encrypt");
    expect(afterEncrypt.KeyLastUsage?.KmsRequestId).toBe(enc.$metadata.requestId);
    await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    await awsErrorName(kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.alloc(5000) })));
    const afterDecrypt = await kms.send(new GetKeyLastUsageCommand({ KeyId }));
    expect(afterDecrypt.KeyLastUsage?.Operation).toBe("Decrypt");
    expect(afterDecrypt.KeyLastUsage!.Timestamp!.getTime()).toBeGreaterThanOrEqual(
      afterEncrypt.KeyLastUsage!.Timestamp!.getTime(),
    );
    expect(await awsErrorName(stranger.send(new GetKeyLastUsageCommand({ KeyId })))).toBe("AccessDeniedException");
  });
});

describe("DryRun", () => {
  it("answers DryRunOperationException when allowed, AccessDeniedException when not, and does nothing", async () => {
    const { KeyId } = await newKey();
    const enc = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("x") }));
    const calls = [
      () => new EncryptCommand({ KeyId, Plaintext: Buffer.from("x"), DryRun: true }),
      () => new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, DryRun: true }),
      () => new GenerateDataKeyCommand({ KeyId, KeySpec: "AES_256", DryRun: true }),
      () => new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: KeyId, DryRun: true }),
      () => new CreateGrantCommand({ KeyId, GranteePrincipal: "dave", Operations: ["Encrypt"], DryRun: true }),
    ];
    for (const command of calls) {
      expect(await awsErrorName(kms.send(command() as never))).toBe("DryRunOperationException");
      expect(await awsErrorName(stranger.send(command() as never))).toBe("AccessDeniedException");
    }
    expect((await kms.send(new ListGrantsCommand({ KeyId }))).Grants).toEqual([]);
    const signing = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    const sign = new SignCommand({
      KeyId: signing.KeyId,
      Message: Buffer.from("m"),
      SigningAlgorithm: "ECDSA_SHA_256",
      DryRun: true,
    });
    expect(await awsErrorName(kms.send(sign))).toBe("DryRunOperationException");
    const invalid = new EncryptCommand({
      KeyId,
      Plaintext: Buffer.from("x"),
      EncryptionAlgorithm: "NOPE" as never,
      DryRun: true,
    });
    expect(await awsErrorName(kms.send(invalid))).toBe("ValidationException");
  });

  it("RetireGrant with DryRun checks who may retire and keeps the grant", async () => {
    const { KeyId } = await newKey();
    const { GrantId } = await kms.send(
      new CreateGrantCommand({ KeyId, GranteePrincipal: "grantee-of-dry-run", Operations: ["Encrypt"] }),
    );
    const retire = () => new RetireGrantCommand({ KeyId, GrantId, DryRun: true });
    expect(await awsErrorName(kms.send(retire()))).toBe("DryRunOperationException");
    expect(await awsErrorName(stranger.send(retire()))).toBe("AccessDeniedException");
    expect((await kms.send(new ListGrantsCommand({ KeyId }))).Grants?.map((g) => g.GrantId)).toEqual([GrantId]);
    await kms.send(new RetireGrantCommand({ KeyId, GrantId }));
    expect((await kms.send(new ListGrantsCommand({ KeyId }))).Grants).toEqual([]);
  });
});

describe("ReEncrypt between asymmetric keys", () => {
  it("moves an RSAES-OAEP ciphertext from one RSA key to another and to and from a symmetric key", async () => {
    const a = await newKey({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
    const b = await newKey({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
    const sym = await newKey();
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: a.KeyId }));
    const key = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: "der", type: "spki" });
    const secret = randomBytes(40);
    const ciphertext = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, secret);
    const toB = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: ciphertext,
        SourceKeyId: a.KeyId,
        SourceEncryptionAlgorithm: "RSAES_OAEP_SHA_1",
        DestinationKeyId: b.KeyId,
        DestinationEncryptionAlgorithm: "RSAES_OAEP_SHA_256",
      }),
    );
    expect(toB.SourceEncryptionAlgorithm).toBe("RSAES_OAEP_SHA_1");
    expect(toB.DestinationEncryptionAlgorithm).toBe("RSAES_OAEP_SHA_256");
    const toSym = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: toB.CiphertextBlob,
        SourceKeyId: b.KeyId,
        SourceEncryptionAlgorithm: "RSAES_OAEP_SHA_256",
        DestinationKeyId: sym.KeyId,
      }),
    );
    expect(toSym.DestinationEncryptionAlgorithm).toBe("SYMMETRIC_DEFAULT");
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: toSym.CiphertextBlob }));
    expect(Buffer.from(dec.Plaintext!)).toEqual(secret);
    const back = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: toSym.CiphertextBlob,
        DestinationKeyId: a.KeyId,
        DestinationEncryptionAlgorithm: "RSAES_OAEP_SHA_256",
      }),
    );
    const final = await kms.send(
      new DecryptCommand({
        CiphertextBlob: back.CiphertextBlob,
        KeyId: a.KeyId,
        EncryptionAlgorithm: "RSAES_OAEP_SHA_256",
      }),
    );
    expect(Buffer.from(final.Plaintext!)).toEqual(secret);
    const noSourceKey = new ReEncryptCommand({
      CiphertextBlob: ciphertext,
      SourceEncryptionAlgorithm: "RSAES_OAEP_SHA_1",
      DestinationKeyId: sym.KeyId,
    });
    expect(await awsErrorName(kms.send(noSourceKey))).toBe("ValidationException");
  });
});

describe("UpdateAlias and CreateKey rules", () => {
  it("moves an alias only to a key of the same type and usage", async () => {
    const sym = await newKey();
    const sym2 = await newKey();
    const hmac = await newKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    const rsaSign = await newKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
    const ecSign = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    const rsaEncrypt = await newKey({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
    await kms.send(new CreateAliasCommand({ AliasName: "alias/moves", TargetKeyId: sym.KeyId }));
    for (const other of [hmac, rsaSign]) {
      const move = new UpdateAliasCommand({ AliasName: "alias/moves", TargetKeyId: other.KeyId });
      expect(await awsErrorName(kms.send(move))).toBe("ValidationException");
    }
    await kms.send(new UpdateAliasCommand({ AliasName: "alias/moves", TargetKeyId: sym2.KeyId }));
    expect((await describe_("alias/moves")).KeyId).toBe(sym2.KeyId);
    await kms.send(new CreateAliasCommand({ AliasName: "alias/signer", TargetKeyId: rsaSign.KeyId }));
    await kms.send(new UpdateAliasCommand({ AliasName: "alias/signer", TargetKeyId: ecSign.KeyId }));
    const toEncrypt = new UpdateAliasCommand({ AliasName: "alias/signer", TargetKeyId: rsaEncrypt.KeyId });
    expect(await awsErrorName(kms.send(toEncrypt))).toBe("ValidationException");
  });

  it("needs KeyUsage for HMAC and asymmetric specs; symmetric keys default to ENCRYPT_DECRYPT", async () => {
    for (const KeySpec of ["HMAC_256", "RSA_2048", "ECC_NIST_P256"] as const) {
      expect(await awsErrorName(kms.send(new CreateKeyCommand({ KeySpec })))).toBe("ValidationException");
    }
    expect((await newKey({ KeySpec: "SYMMETRIC_DEFAULT" })).KeyUsage).toBe("ENCRYPT_DECRYPT");
  });

  it("refuses Multi-Region keys with UnsupportedOperationException", async () => {
    expect(await awsErrorName(kms.send(new CreateKeyCommand({ MultiRegion: true })))).toBe(
      "UnsupportedOperationException",
    );
  });
});
