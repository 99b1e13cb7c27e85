import {
  createHash,
  createPrivateKey,
  createPublicKey,
  constants,
  publicEncrypt,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import { buildClient, CommitmentPolicy, KmsKeyringNode } from "@aws-crypto/client-node";
import {
  CreateAliasCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  GenerateRandomCommand,
  GetPublicKeyCommand,
  KMS,
  type KeyMetadata,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
} from "@aws-sdk/client-kms";
import { beforeAll, describe, expect, it } from "vitest";
import { external, useAwsTarget } from "../helpers/aws-target.js";
import { ADMIN_AUTH } from "../helpers/server-process.js";

/**
 * Cryptographic operations through the real AWS SDK and the real AWS Encryption SDK against the
 * real server process. Runs against AWS KMS when KMS_AWS_TEST_ENDPOINT is set, except the tests
 * marked `ours` (cross-API checks with this service's Connect endpoint).
 */
const ours = it.skipIf(external !== undefined);
const aws = useAwsTarget();
const newKey = aws.newKey;

async function failure(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the call to fail");
}
const errorName = async (p: Promise<unknown>) => (await failure(p)).name;

let sym: KeyMetadata;
let other: KeyMetadata;
beforeAll(async () => {
  sym = await newKey();
  other = await newKey();
});

describe("Encrypt / Decrypt / ReEncrypt", () => {
  it("round-trips the exact plaintext with an encryption context, without naming the key to Decrypt", async () => {
    const plaintext = randomBytes(4096);
    const ctx = { purpose: "e2e", tenant: "t-1" };
    const enc = await aws.kms.send(
      new EncryptCommand({ KeyId: sym.KeyId, Plaintext: plaintext, EncryptionContext: ctx }),
    );
    expect(enc.KeyId).toBe(sym.Arn);
    expect(enc.EncryptionAlgorithm).toBe("SYMMETRIC_DEFAULT");
    expect(Buffer.from(enc.CiphertextBlob!).includes(plaintext.subarray(0, 32))).toBe(false);
    const dec = await aws.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx }));
    expect(Buffer.from(dec.Plaintext!).equals(plaintext)).toBe(true);
    expect(dec.KeyId).toBe(sym.Arn);
    expect(dec.EncryptionAlgorithm).toBe("SYMMETRIC_DEFAULT");
    const named = await aws.kms.send(
      new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx, KeyId: sym.Arn }),
    );
    expect(Buffer.from(named.Plaintext!).equals(plaintext)).toBe(true);
  });

  it("binds the encryption context: a different or missing one is InvalidCiphertextException", async () => {
    const enc = await aws.kms.send(
      new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from("bound"), EncryptionContext: { a: "1" } }),
    );
    expect(
      await errorName(
        aws.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: "2" } })),
      ),
    ).toBe("InvalidCiphertextException");
    expect(await errorName(aws.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).toBe(
      "InvalidCiphertextException",
    );
  });

  it("answers IncorrectKeyException when Decrypt names another key", async () => {
    const enc = await aws.kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from("x") }));
    expect(
      await errorName(aws.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other.KeyId }))),
    ).toBe("IncorrectKeyException");
  });

  it("answers InvalidCiphertextException for a tampered or foreign blob", async () => {
    const enc = await aws.kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from("tamper me") }));
    const blob = Buffer.from(enc.CiphertextBlob!);
    blob[blob.length - 1]! ^= 1;
    expect(await errorName(aws.kms.send(new DecryptCommand({ CiphertextBlob: blob })))).toBe(
      "InvalidCiphertextException",
    );
    expect(await errorName(aws.kms.send(new DecryptCommand({ CiphertextBlob: randomBytes(200) })))).toBe(
      "InvalidCiphertextException",
    );
  });

  it("accepts an alias and an alias ARN as KeyId and answers with the key ARN", async () => {
    const alias = `alias/e2e-crypto-${randomBytes(6).toString("hex")}`;
    await aws.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: sym.KeyId }));
    for (const KeyId of [alias, sym.Arn!.replace(/key\/.*$/, alias)]) {
      const enc = await aws.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("via alias") }));
      expect(enc.KeyId).toBe(sym.Arn);
    }
    await aws.kms.send(new DeleteAliasCommand({ AliasName: alias }));
  });

  it("refuses a signing key with InvalidKeyUsageException and an empty plaintext with ValidationException", async () => {
    const signing = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    expect(
      await errorName(aws.kms.send(new EncryptCommand({ KeyId: signing.KeyId, Plaintext: Buffer.from("x") }))),
    ).toBe("InvalidKeyUsageException");
    expect(await errorName(aws.kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.alloc(0) })))).toBe(
      "ValidationException",
    );
  });

  it("encrypts with an RSA key: a ciphertext made locally with its public key decrypts in KMS", async () => {
    const rsa = await newKey({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" });
    const pub = await aws.kms.send(new GetPublicKeyCommand({ KeyId: rsa.KeyId }));
    expect(pub.EncryptionAlgorithms).toEqual(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
    const key = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: "der", type: "spki" });
    const secret = randomBytes(100);
    const local = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, secret);
    const dec = await aws.kms.send(
      new DecryptCommand({ CiphertextBlob: local, KeyId: rsa.KeyId, EncryptionAlgorithm: "RSAES_OAEP_SHA_256" }),
    );
    expect(Buffer.from(dec.Plaintext!).equals(secret)).toBe(true);
    expect(dec.EncryptionAlgorithm).toBe("RSAES_OAEP_SHA_256");

    const enc = await aws.kms.send(
      new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: secret, EncryptionAlgorithm: "RSAES_OAEP_SHA_1" }),
    );
    expect(enc.EncryptionAlgorithm).toBe("RSAES_OAEP_SHA_1");
    const back = await aws.kms.send(
      new DecryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        KeyId: rsa.KeyId,
        EncryptionAlgorithm: "RSAES_OAEP_SHA_1",
      }),
    );
    expect(Buffer.from(back.Plaintext!).equals(secret)).toBe(true);
    expect(await errorName(aws.kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: secret })))).toBe(
      "InvalidKeyUsageException",
    );
  });

  it("re-encrypts under another key and context", async () => {
    const plaintext = randomBytes(64);
    const enc = await aws.kms.send(
      new EncryptCommand({ KeyId: sym.KeyId, Plaintext: plaintext, EncryptionContext: { stage: "one" } }),
    );
    const re = await aws.kms.send(
      new ReEncryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        SourceEncryptionContext: { stage: "one" },
        DestinationKeyId: other.KeyId,
        DestinationEncryptionContext: { stage: "two" },
      }),
    );
    expect(re.SourceKeyId).toBe(sym.Arn);
    expect(re.KeyId).toBe(other.Arn);
    const dec = await aws.kms.send(
      new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { stage: "two" } }),
    );
    expect(Buffer.from(dec.Plaintext!).equals(plaintext)).toBe(true);
    expect(dec.KeyId).toBe(other.Arn);
  });
});

describe("GenerateDataKey(WithoutPlaintext)", () => {
  it.each([
    [{ KeySpec: "AES_256" as const }, 32],
    [{ KeySpec: "AES_128" as const }, 16],
    [{ NumberOfBytes: 64 }, 64],
    [{ NumberOfBytes: 1 }, 1],
  ])("%o gives a %i-byte key that Decrypt returns exactly", async (size, length) => {
    const ctx = { file: "a.txt" };
    const out = await aws.kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId, EncryptionContext: ctx, ...size }));
    expect(out.KeyId).toBe(sym.Arn);
    expect(out.Plaintext).toHaveLength(length);
    const dec = await aws.kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: ctx }));
    expect(Buffer.from(dec.Plaintext!).equals(Buffer.from(out.Plaintext!))).toBe(true);
  });

  it("gives different keys each call", async () => {
    const a = await aws.kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId, KeySpec: "AES_256" }));
    const b = await aws.kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId, KeySpec: "AES_256" }));
    expect(Buffer.from(a.Plaintext!).equals(Buffer.from(b.Plaintext!))).toBe(false);
  });

  it("WithoutPlaintext returns only the blob, which Decrypt opens", async () => {
    const out = await aws.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: sym.Arn, KeySpec: "AES_256" }));
    expect(out).not.toHaveProperty("Plaintext");
    expect(out.KeyId).toBe(sym.Arn);
    const dec = await aws.kms.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }));
    expect(dec.Plaintext).toHaveLength(32);
  });

  it("refuses NumberOfBytes 1025 with AWS's exact ValidationException wording", async () => {
    const err = await failure(aws.kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId, NumberOfBytes: 1025 })));
    expect(err.name).toBe("ValidationException");
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
  });

  it("refuses neither or both of KeySpec and NumberOfBytes with ValidationException", async () => {
    expect(await errorName(aws.kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId })))).toBe("ValidationException");
    expect(
      await errorName(
        aws.kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId, KeySpec: "AES_256", NumberOfBytes: 32 })),
      ),
    ).toBe("ValidationException");
  });

  it("answers each key-state and usage error as AWS does", async () => {
    const disabled = await newKey();
    await aws.kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const pending = await newKey();
    await aws.kms.send(new ScheduleKeyDeletionCommand({ KeyId: pending.KeyId, PendingWindowInDays: 7 }));
    const signing = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    const cases: [string | undefined, string][] = [
      [disabled.KeyId, "DisabledException"],
      [pending.KeyId, "KMSInvalidStateException"],
      [signing.KeyId, "InvalidKeyUsageException"],
      ["00000000-0000-0000-0000-000000000000", "NotFoundException"],
    ];
    for (const [KeyId, name] of cases) {
      expect(
        await errorName(aws.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId, KeySpec: "AES_256" }))),
      ).toBe(name);
    }
  });
});

describe("GenerateDataKeyPair(WithoutPlaintext)", () => {
  it.each([
    ["ECC_NIST_P256", "ec"],
    ["ECC_SECG_P256K1", "ec"],
    ["RSA_2048", "rsa"],
  ] as const)(
    "%s: DER keys that sign and verify, and a blob Decrypt opens to the same private key",
    async (spec, type) => {
      const ctx = { pair: spec };
      const out = await aws.kms.send(
        new GenerateDataKeyPairCommand({ KeyId: sym.KeyId, KeyPairSpec: spec, EncryptionContext: ctx }),
      );
      expect(out.KeyId).toBe(sym.Arn);
      expect(out.KeyPairSpec).toBe(spec);
      const pub = createPublicKey({ key: Buffer.from(out.PublicKey!), format: "der", type: "spki" });
      const priv = createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext!), format: "der", type: "pkcs8" });
      expect(pub.asymmetricKeyType).toBe(type);
      const message = Buffer.from(`signed with a ${spec} data key`);
      const signature = nodeSign("sha256", message, priv);
      expect(nodeVerify("sha256", message, pub, signature)).toBe(true);
      expect(nodeVerify("sha256", Buffer.from("other"), pub, signature)).toBe(false);

      const dec = await aws.kms.send(
        new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: ctx }),
      );
      expect(Buffer.from(dec.Plaintext!).equals(Buffer.from(out.PrivateKeyPlaintext!))).toBe(true);
    },
  );

  it("WithoutPlaintext: the sealed private key belongs to the returned public key", async () => {
    const out = await aws.kms.send(
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: sym.KeyId, KeyPairSpec: "ECC_NIST_P256" }),
    );
    expect(out).not.toHaveProperty("PrivateKeyPlaintext");
    expect(out.KeyPairSpec).toBe("ECC_NIST_P256");
    const dec = await aws.kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
    const priv = createPrivateKey({ key: Buffer.from(dec.Plaintext!), format: "der", type: "pkcs8" });
    const derived = createPublicKey(priv).export({ format: "der", type: "spki" });
    expect(derived.equals(Buffer.from(out.PublicKey!))).toBe(true);
  });

  it("refuses an asymmetric wrapping key with InvalidKeyUsageException", async () => {
    const signing = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    expect(
      await errorName(
        aws.kms.send(new GenerateDataKeyPairCommand({ KeyId: signing.KeyId, KeyPairSpec: "ECC_NIST_P256" })),
      ),
    ).toBe("InvalidKeyUsageException");
  });
});

describe("GenerateRandom", () => {
  it("returns the requested number of fresh bytes", async () => {
    const a = await aws.kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    const b = await aws.kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    expect(a.Plaintext).toHaveLength(32);
    expect(Buffer.from(a.Plaintext!).equals(Buffer.from(b.Plaintext!))).toBe(false);
    expect((await aws.kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }))).Plaintext).toHaveLength(1024);
  });

  it("refuses 0 and 1025 bytes with ValidationException", async () => {
    expect(await errorName(aws.kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })))).toBe(
      "ValidationException",
    );
    expect(await errorName(aws.kms.send(new GenerateRandomCommand({ NumberOfBytes: 0 })))).toBe("ValidationException");
  });
});

describe("Sign / Verify / GetPublicKey", () => {
  it("ECDSA_SHA_256: the signature verifies with node:crypto and the GetPublicKey key", async () => {
    const key = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    const pub = await aws.kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    expect(pub).toMatchObject({ KeyId: key.Arn, KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    expect(pub.SigningAlgorithms).toEqual(["ECDSA_SHA_256"]);
    const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: "der", type: "spki" });
    const message = Buffer.from("a message signed in KMS");
    const signed = await aws.kms.send(
      new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: "ECDSA_SHA_256" }),
    );
    expect(signed.KeyId).toBe(key.Arn);
    expect(signed.SigningAlgorithm).toBe("ECDSA_SHA_256");
    expect(nodeVerify("sha256", message, { key: publicKey, dsaEncoding: "der" }, Buffer.from(signed.Signature!))).toBe(
      true,
    );
    const ok = await aws.kms.send(
      new VerifyCommand({
        KeyId: key.KeyId,
        Message: message,
        Signature: signed.Signature,
        SigningAlgorithm: "ECDSA_SHA_256",
      }),
    );
    expect(ok.SignatureValid).toBe(true);
    expect(ok.KeyId).toBe(key.Arn);
    const bad = await failure(
      aws.kms.send(
        new VerifyCommand({
          KeyId: key.KeyId,
          Message: Buffer.from("a different message"),
          Signature: signed.Signature,
          SigningAlgorithm: "ECDSA_SHA_256",
        }),
      ),
    );
    expect(bad.name).toBe("KMSInvalidSignatureException");
    expect(bad.$metadata?.httpStatusCode).toBe(400);
  });

  it("RSASSA_PSS_SHA_256 and PKCS1 over a DIGEST verify with node:crypto", async () => {
    const key = await newKey({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
    const pub = await aws.kms.send(new GetPublicKeyCommand({ KeyId: key.Arn }));
    const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: "der", type: "spki" });
    const message = Buffer.from("pss message");
    const pss = await aws.kms.send(
      new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: "RSASSA_PSS_SHA_256" }),
    );
    expect(
      nodeVerify(
        "sha256",
        message,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        Buffer.from(pss.Signature!),
      ),
    ).toBe(true);

    const digest = createHash("sha256").update(message).digest();
    const pkcs1 = await aws.kms.send(
      new SignCommand({
        KeyId: key.KeyId,
        Message: digest,
        MessageType: "DIGEST",
        SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256",
      }),
    );
    expect(
      nodeVerify(
        "sha256",
        message,
        { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(pkcs1.Signature!),
      ),
    ).toBe(true);
  });

  it("refuses mismatched keys and algorithms with InvalidKeyUsageException", async () => {
    const ec = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    expect(
      await errorName(
        aws.kms.send(
          new SignCommand({ KeyId: ec.KeyId, Message: Buffer.from("m"), SigningAlgorithm: "RSASSA_PSS_SHA_256" }),
        ),
      ),
    ).toBe("InvalidKeyUsageException");
    expect(
      await errorName(
        aws.kms.send(
          new SignCommand({ KeyId: sym.KeyId, Message: Buffer.from("m"), SigningAlgorithm: "ECDSA_SHA_256" }),
        ),
      ),
    ).toBe("InvalidKeyUsageException");
    expect(await errorName(aws.kms.send(new GetPublicKeyCommand({ KeyId: sym.KeyId })))).toBe(
      "UnsupportedOperationException",
    );
  });
});

describe("GenerateMac / VerifyMac", () => {
  it("generates a deterministic HMAC that VerifyMac accepts; a changed message or MAC is KMSInvalidMacException", async () => {
    const key = await newKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    const message = Buffer.from("authenticate me");
    const a = await aws.kms.send(
      new GenerateMacCommand({ KeyId: key.KeyId, Message: message, MacAlgorithm: "HMAC_SHA_256" }),
    );
    const b = await aws.kms.send(
      new GenerateMacCommand({ KeyId: key.Arn, Message: message, MacAlgorithm: "HMAC_SHA_256" }),
    );
    expect(a.Mac).toHaveLength(32);
    expect(Buffer.from(a.Mac!).equals(Buffer.from(b.Mac!))).toBe(true);
    expect(a.KeyId).toBe(key.Arn);
    expect(a.MacAlgorithm).toBe("HMAC_SHA_256");
    const ok = await aws.kms.send(
      new VerifyMacCommand({ KeyId: key.KeyId, Message: message, Mac: a.Mac, MacAlgorithm: "HMAC_SHA_256" }),
    );
    expect(ok).toMatchObject({ MacValid: true, KeyId: key.Arn, MacAlgorithm: "HMAC_SHA_256" });

    const changed = Buffer.from("authenticate mE");
    const bad = await failure(
      aws.kms.send(
        new VerifyMacCommand({ KeyId: key.KeyId, Message: changed, Mac: a.Mac, MacAlgorithm: "HMAC_SHA_256" }),
      ),
    );
    expect(bad.name).toBe("KMSInvalidMacException");
    expect(bad.$metadata?.httpStatusCode).toBe(400);
    const mac = Buffer.from(a.Mac!);
    mac[0]! ^= 1;
    expect(
      await errorName(
        aws.kms.send(
          new VerifyMacCommand({ KeyId: key.KeyId, Message: message, Mac: mac, MacAlgorithm: "HMAC_SHA_256" }),
        ),
      ),
    ).toBe("KMSInvalidMacException");
  });

  it("refuses an algorithm the key cannot run and a non-MAC key with InvalidKeyUsageException", async () => {
    const key = await newKey({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" });
    expect(
      await errorName(
        aws.kms.send(
          new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.from("m"), MacAlgorithm: "HMAC_SHA_384" }),
        ),
      ),
    ).toBe("InvalidKeyUsageException");
    expect(
      await errorName(
        aws.kms.send(
          new GenerateMacCommand({ KeyId: sym.KeyId, Message: Buffer.from("m"), MacAlgorithm: "HMAC_SHA_256" }),
        ),
      ),
    ).toBe("InvalidKeyUsageException");
  });
});

describe("AWS Encryption SDK", () => {
  it("encrypts and decrypts 1 MiB with a KMS keyring and an encryption context", async () => {
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const keyring = new KmsKeyringNode({ generatorKeyId: sym.Arn!, clientProvider: () => new KMS(aws.config()) });
    const plaintext = randomBytes(1024 * 1024);
    const encryptionContext = { purpose: "esdk-e2e", shard: "7" };
    const { result } = await encrypt(keyring, plaintext, { encryptionContext });
    expect(result.length).toBeGreaterThan(plaintext.length);
    expect(result.includes(plaintext.subarray(0, 64))).toBe(false);
    const { plaintext: back, messageHeader } = await decrypt(keyring, result);
    expect(Buffer.from(back).equals(plaintext)).toBe(true);
    expect(messageHeader.encryptionContext).toMatchObject(encryptionContext);
    expect(messageHeader.encryptedDataKeys[0]?.providerInfo).toBe(sym.Arn);
  });
});

describe("one key space with the Connect API (ours only)", () => {
  const connect = async (path: string, body: unknown) => {
    const res = await fetch(`${aws.endpoint}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...ADMIN_AUTH },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  ours("a key created over Connect is usable over AWS", async () => {
    const made = (await connect("kms.v1.KeyService/CreateKey", {})) as { key: { keyId: string; arn: string } };
    const described = await aws.kms.send(new DescribeKeyCommand({ KeyId: made.key.keyId }));
    expect(described.KeyMetadata?.Arn).toBe(made.key.arn);
    const enc = await aws.kms.send(new EncryptCommand({ KeyId: made.key.arn, Plaintext: Buffer.from("cross") }));
    expect(enc.KeyId).toBe(made.key.arn);
    const dec = await aws.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe("cross");
  });

  ours("an AWS GenerateDataKey blob decrypts with Connect Decrypt to the same plaintext", async () => {
    const out = await aws.kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId, KeySpec: "AES_256" }));
    const dec = (await connect("kms.v1.CryptoService/Decrypt", {
      ciphertextBlob: Buffer.from(out.CiphertextBlob!).toString("base64"),
    })) as { plaintext: string; keyId: string };
    expect(Buffer.from(dec.plaintext, "base64").equals(Buffer.from(out.Plaintext!))).toBe(true);
    expect(dec.keyId).toBe(sym.KeyId);
  });

  ours("a Connect AdvanceEncrypt blob decrypts with AWS Decrypt", async () => {
    const plaintext = randomBytes(48);
    const enc = (await connect("kms.v1.CryptoService/AdvanceEncrypt", {
      keyId: sym.KeyId,
      plaintext: plaintext.toString("base64"),
      encryptionContext: { via: "connect" },
    })) as { ciphertextBlob: string };
    const dec = await aws.kms.send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(enc.ciphertextBlob, "base64"),
        EncryptionContext: { via: "connect" },
      }),
    );
    expect(Buffer.from(dec.Plaintext!).equals(plaintext)).toBe(true);
    expect(dec.KeyId).toBe(sym.Arn);
  });
});
