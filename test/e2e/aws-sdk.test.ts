import { randomBytes } from "node:crypto";
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { errorName, region, useAwsTarget } from "../helpers/aws-target.js";

/**
 * Key management through the real AWS SDK against the real server process. Written so the same
 * file runs against AWS KMS: set KMS_AWS_TEST_ENDPOINT (and AWS credentials in the environment)
 * and nothing here relies on this service alone.
 */
const aws = useAwsTarget();
const newKey = aws.newKey;
const DAY = 86_400_000;

const suffix = () => randomBytes(6).toString("hex");
const arnPattern = (id: string) => new RegExp(`^arn:aws:kms:${region}:\\d{12}:key/${id}$`);

describe("CreateKey / DescribeKey", () => {
  it("creates a symmetric key with AWS's KeyMetadata", async () => {
    const before = Date.now();
    const meta = await newKey({ Description: "aws sdk e2e" });
    expect(meta.KeyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta.Arn).toMatch(arnPattern(meta.KeyId!));
    expect(meta.AWSAccountId).toMatch(/^\d{12}$/);
    expect(meta).toMatchObject({
      Description: "aws sdk e2e",
      Enabled: true,
      KeyState: "Enabled",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeySpec: "SYMMETRIC_DEFAULT",
      CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
      Origin: "AWS_KMS",
      KeyManager: "CUSTOMER",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
      MultiRegion: false,
    });
    expect(meta.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(meta.CreationDate!.getTime() - before)).toBeLessThan(60_000);
    expect(meta.SigningAlgorithms).toBeUndefined();
  });

  it("creates asymmetric and HMAC keys with their algorithm lists", async () => {
    const rsa = await newKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
    expect(rsa.KeySpec).toBe("RSA_2048");
    expect(rsa.KeyUsage).toBe("SIGN_VERIFY");
    expect(rsa.SigningAlgorithms).toEqual(
      expect.arrayContaining(["RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_512"]),
    );
    expect(rsa.EncryptionAlgorithms).toBeUndefined();

    const ec = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    expect(ec.KeySpec).toBe("ECC_NIST_P256");
    expect(ec.SigningAlgorithms).toEqual(["ECDSA_SHA_256"]);

    const k1 = await newKey({ CustomerMasterKeySpec: "ECC_SECG_P256K1", KeyUsage: "SIGN_VERIFY" });
    expect(k1.KeySpec).toBe("ECC_SECG_P256K1");

    const hmac = await newKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    expect(hmac.KeyUsage).toBe("GENERATE_VERIFY_MAC");
    expect(hmac.MacAlgorithms).toEqual(["HMAC_SHA_256"]);

    const rsaEnc = await newKey({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
    expect(rsaEnc.EncryptionAlgorithms).toEqual(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
  });

  it("refuses a usage the spec does not allow and an unknown spec", async () => {
    expect(
      await errorName(aws.kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "ENCRYPT_DECRYPT" }))),
    ).toBe("ValidationException");
    // biome-ignore lint/suspicious/noExplicitAny: an enum value no AWS region accepts.
    expect(await errorName(aws.kms.send(new CreateKeyCommand({ KeySpec: "AES_999" as any })))).toBe(
      "ValidationException",
    );
  });

  it("describes one key by id, key ARN, alias name and alias ARN", async () => {
    const meta = await newKey();
    const alias = `alias/e2e-describe-${suffix()}`;
    await aws.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: meta.KeyId }));
    const aliasArn = meta.Arn!.replace(/key\/.*$/, alias);
    for (const ref of [meta.KeyId!, meta.Arn!, alias, aliasArn]) {
      const out = await aws.kms.send(new DescribeKeyCommand({ KeyId: ref }));
      expect(out.KeyMetadata?.KeyId, ref).toBe(meta.KeyId);
      expect(out.KeyMetadata?.Arn, ref).toBe(meta.Arn);
    }
    await aws.kms.send(new DeleteAliasCommand({ AliasName: alias }));
  });

  it("answers NotFoundException for a key or alias that does not exist", async () => {
    expect(
      await errorName(aws.kms.send(new DescribeKeyCommand({ KeyId: "11111111-2222-3333-4444-555555555555" }))),
    ).toBe("NotFoundException");
    expect(await errorName(aws.kms.send(new DescribeKeyCommand({ KeyId: `alias/e2e-none-${suffix()}` })))).toBe(
      "NotFoundException",
    );
  });

  it("updates the description", async () => {
    const meta = await newKey({ Description: "before" });
    await aws.kms.send(new UpdateKeyDescriptionCommand({ KeyId: meta.Arn, Description: "after" }));
    const out = await aws.kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }));
    expect(out.KeyMetadata?.Description).toBe("after");
  });
});

describe("key state", () => {
  it("disables and enables a key; a disabled key refuses Encrypt with DisabledException", async () => {
    const { KeyId } = await newKey();
    await aws.kms.send(new DisableKeyCommand({ KeyId }));
    const disabled = await aws.kms.send(new DescribeKeyCommand({ KeyId }));
    expect(disabled.KeyMetadata).toMatchObject({ KeyState: "Disabled", Enabled: false });
    expect(await errorName(aws.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("x") })))).toBe(
      "DisabledException",
    );
    await aws.kms.send(new EnableKeyCommand({ KeyId }));
    const out = await aws.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("x") }));
    expect(out.CiphertextBlob?.length).toBeGreaterThan(1);
  });

  it("schedules and cancels deletion; a key pending deletion is KMSInvalidStateException", async () => {
    const meta = await newKey();
    const KeyId = meta.KeyId!;
    const before = Date.now();
    const scheduled = await aws.kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    expect(scheduled.KeyId).toBe(meta.Arn);
    expect(scheduled.KeyState).toBe("PendingDeletion");
    expect(scheduled.PendingWindowInDays).toBe(7);
    expect(Math.abs(scheduled.DeletionDate!.getTime() - (before + 7 * DAY))).toBeLessThan(DAY + 60_000);

    const described = await aws.kms.send(new DescribeKeyCommand({ KeyId }));
    expect(described.KeyMetadata?.KeyState).toBe("PendingDeletion");
    expect(described.KeyMetadata?.DeletionDate?.getTime()).toBe(scheduled.DeletionDate?.getTime());
    expect(await errorName(aws.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("x") })))).toBe(
      "KMSInvalidStateException",
    );
    expect(await errorName(aws.kms.send(new EnableKeyCommand({ KeyId })))).toBe("KMSInvalidStateException");

    const cancelled = await aws.kms.send(new CancelKeyDeletionCommand({ KeyId }));
    expect(cancelled.KeyId).toBe(meta.Arn);
    const after = await aws.kms.send(new DescribeKeyCommand({ KeyId }));
    expect(after.KeyMetadata?.KeyState).toBe("Disabled");
    expect(after.KeyMetadata?.DeletionDate).toBeUndefined();
    expect(await errorName(aws.kms.send(new CancelKeyDeletionCommand({ KeyId })))).toBe("KMSInvalidStateException");
  });

  it("refuses a pending window outside 7..30 days with ValidationException", async () => {
    const { KeyId } = await newKey();
    expect(await errorName(aws.kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 6 })))).toBe(
      "ValidationException",
    );
    expect(await errorName(aws.kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 31 })))).toBe(
      "ValidationException",
    );
  });
});

describe("ListKeys", () => {
  it("pages with Limit/Marker over at least 3 pages without duplicates", async () => {
    const mine = [await newKey(), await newKey(), await newKey(), await newKey(), await newKey()].map((k) => k.KeyId);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await aws.kms.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
      pages++;
      expect(out.Keys!.length).toBeLessThanOrEqual(2);
      for (const k of out.Keys!) {
        expect(k.KeyArn).toMatch(arnPattern(k.KeyId!));
        seen.push(k.KeyId!);
      }
      expect(Boolean(out.NextMarker)).toBe(out.Truncated);
      marker = out.Truncated ? out.NextMarker : undefined;
    } while (marker);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(mine));
  });
});

describe("aliases", () => {
  it("creates, lists, updates and deletes an alias", async () => {
    const a = await newKey();
    const b = await newKey();
    const name = `alias/e2e-${suffix()}`;
    await aws.kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: a.Arn }));
    const listed = await aws.kms.send(new ListAliasesCommand({ KeyId: a.KeyId }));
    const entry = listed.Aliases?.find((x) => x.AliasName === name);
    expect(entry).toMatchObject({ AliasName: name, TargetKeyId: a.KeyId, AliasArn: a.Arn!.replace(/key\/.*$/, name) });
    expect(entry?.CreationDate).toBeInstanceOf(Date);

    expect(await errorName(aws.kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: b.KeyId })))).toBe(
      "AlreadyExistsException",
    );
    await aws.kms.send(new UpdateAliasCommand({ AliasName: name, TargetKeyId: b.KeyId }));
    const moved = await aws.kms.send(new DescribeKeyCommand({ KeyId: name }));
    expect(moved.KeyMetadata?.KeyId).toBe(b.KeyId);
    const ofA = await aws.kms.send(new ListAliasesCommand({ KeyId: a.KeyId }));
    expect(ofA.Aliases?.map((x) => x.AliasName)).not.toContain(name);

    await aws.kms.send(new DeleteAliasCommand({ AliasName: name }));
    expect(await errorName(aws.kms.send(new DescribeKeyCommand({ KeyId: name })))).toBe("NotFoundException");
    expect(await errorName(aws.kms.send(new DeleteAliasCommand({ AliasName: name })))).toBe("NotFoundException");
  });

  it("pages one key's aliases", async () => {
    const key = await newKey();
    const names = [0, 1, 2].map((i) => `alias/e2e-page-${suffix()}-${i}`);
    for (const AliasName of names) await aws.kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: key.KeyId }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const out = await aws.kms.send(new ListAliasesCommand({ KeyId: key.KeyId, Limit: 1, Marker: marker }));
      pages++;
      seen.push(...out.Aliases!.map((x) => x.AliasName!));
      marker = out.Truncated ? out.NextMarker : undefined;
    } while (marker);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.sort()).toEqual([...names].sort());
    for (const AliasName of names) await aws.kms.send(new DeleteAliasCommand({ AliasName }));
  });

  it("refuses an alias whose target is another alias", async () => {
    const key = await newKey();
    const first = `alias/e2e-${suffix()}`;
    await aws.kms.send(new CreateAliasCommand({ AliasName: first, TargetKeyId: key.KeyId }));
    expect(
      await errorName(aws.kms.send(new CreateAliasCommand({ AliasName: `alias/e2e-${suffix()}`, TargetKeyId: first }))),
    ).toMatch(/ValidationException|NotFoundException/);
    await aws.kms.send(new DeleteAliasCommand({ AliasName: first }));
  });
});

describe("tags", () => {
  it("creates with tags, adds, lists and removes them", async () => {
    const { KeyId } = await newKey({ Tags: [{ TagKey: "team", TagValue: "payments" }] });
    await aws.kms.send(
      new TagResourceCommand({
        KeyId,
        Tags: [
          { TagKey: "env", TagValue: "test" },
          { TagKey: "team", TagValue: "billing" },
        ],
      }),
    );
    const listed = await aws.kms.send(new ListResourceTagsCommand({ KeyId }));
    expect(listed.Tags?.sort((x, y) => x.TagKey!.localeCompare(y.TagKey!))).toEqual([
      { TagKey: "env", TagValue: "test" },
      { TagKey: "team", TagValue: "billing" },
    ]);
    expect(listed.Truncated).toBe(false);
    await aws.kms.send(new UntagResourceCommand({ KeyId, TagKeys: ["team", "absent"] }));
    const after = await aws.kms.send(new ListResourceTagsCommand({ KeyId }));
    expect(after.Tags).toEqual([{ TagKey: "env", TagValue: "test" }]);
  });

  it("pages tags with Limit/Marker", async () => {
    const Tags = Array.from({ length: 5 }, (_, i) => ({ TagKey: `k${i}`, TagValue: `v${i}` }));
    const { KeyId } = await newKey({ Tags });
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const out = await aws.kms.send(new ListResourceTagsCommand({ KeyId, Limit: 2, Marker: marker }));
      seen.push(...out.Tags!.map((t) => `${t.TagKey}=${t.TagValue}`));
      marker = out.Truncated ? out.NextMarker : undefined;
    } while (marker);
    expect(seen.sort()).toEqual(Tags.map((t) => `${t.TagKey}=${t.TagValue}`));
  });

  it("refuses more than 50 tags, an aws: tag key in any case and a repeated tag key with TagException", async () => {
    const { KeyId } = await newKey();
    const Tags = Array.from({ length: 51 }, (_, i) => ({ TagKey: `t${i}`, TagValue: "x" }));
    expect(await errorName(aws.kms.send(new TagResourceCommand({ KeyId, Tags })))).toBe("TagException");
    for (const TagKey of ["aws:team", "AWS:team", "Aws:team"]) {
      expect(await errorName(aws.kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey, TagValue: "x" }] })))).toBe(
        "TagException",
      );
      expect(await errorName(aws.kms.send(new CreateKeyCommand({ Tags: [{ TagKey, TagValue: "x" }] })))).toBe(
        "TagException",
      );
    }
    const twice = [
      { TagKey: "team", TagValue: "a" },
      { TagKey: "team", TagValue: "b" },
    ];
    expect(await errorName(aws.kms.send(new TagResourceCommand({ KeyId, Tags: twice })))).toBe("TagException");
    const out = await aws.kms.send(new ListResourceTagsCommand({ KeyId }));
    expect(out.Tags).toEqual([]);
  });
});

describe("rotation", () => {
  it("enables, reads and disables automatic rotation", async () => {
    const meta = await newKey();
    const KeyId = meta.KeyId!;
    const initial = await aws.kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    expect(initial.KeyRotationEnabled).toBe(false);
    const before = Date.now();
    await aws.kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
    const on = await aws.kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    expect(on).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90, KeyId: meta.Arn });
    expect(Math.abs(on.NextRotationDate!.getTime() - (before + 90 * DAY))).toBeLessThan(DAY + 60_000);
    await aws.kms.send(new DisableKeyRotationCommand({ KeyId }));
    const off = await aws.kms.send(new GetKeyRotationStatusCommand({ KeyId }));
    expect(off.KeyRotationEnabled).toBe(false);
    expect(await errorName(aws.kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 89 })))).toBe(
      "ValidationException",
    );
  });

  it("rotates on demand, lists the rotation and still decrypts old ciphertexts", async () => {
    const meta = await newKey();
    const KeyId = meta.KeyId!;
    const old = await aws.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("before rotation") }));
    const rotated = await aws.kms.send(new RotateKeyOnDemandCommand({ KeyId }));
    expect(rotated.KeyId).toBe(meta.Arn);
    const rotations = await aws.kms.send(new ListKeyRotationsCommand({ KeyId }));
    expect(rotations.Rotations).toHaveLength(1);
    expect(rotations.Rotations![0]).toMatchObject({ KeyId: meta.Arn, RotationType: "ON_DEMAND" });
    expect(rotations.Rotations![0]!.RotationDate).toBeInstanceOf(Date);

    const fresh = await aws.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("after rotation") }));
    for (const [blob, text] of [
      [old.CiphertextBlob, "before rotation"],
      [fresh.CiphertextBlob, "after rotation"],
    ] as const) {
      const out = await aws.kms.send(new DecryptCommand({ CiphertextBlob: blob }));
      expect(Buffer.from(out.Plaintext!).toString()).toBe(text);
      expect(out.KeyId).toBe(meta.Arn);
    }
  });

  it("refuses rotation of an asymmetric key with UnsupportedOperationException", async () => {
    const { KeyId } = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    expect(await errorName(aws.kms.send(new EnableKeyRotationCommand({ KeyId })))).toBe(
      "UnsupportedOperationException",
    );
    expect(await errorName(aws.kms.send(new RotateKeyOnDemandCommand({ KeyId })))).toBe(
      "UnsupportedOperationException",
    );
    expect(await errorName(aws.kms.send(new GetKeyRotationStatusCommand({ KeyId })))).toBe(
      "UnsupportedOperationException",
    );
  });

  it("refuses enabling rotation on a disabled key with DisabledException", async () => {
    const { KeyId } = await newKey();
    await aws.kms.send(new DisableKeyCommand({ KeyId }));
    expect(await errorName(aws.kms.send(new EnableKeyRotationCommand({ KeyId })))).toBe("DisabledException");
  });
});
