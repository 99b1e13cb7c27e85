import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import {
  CreateGrantCommand,
  CreateKeyCommand,
  type CreateKeyCommandInput,
  DecryptCommand,
  DeriveSharedSecretCommand,
  DescribeKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateMacCommand,
  GetKeyLastUsageCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  type KeySpec,
  type KMSClient,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrapForImport } from "../helpers/import-wrap.js";
import { awsClient, awsErrorName, createPrincipal, sqliteArgs } from "../helpers/security.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * ECC_NIST_P384/P521, ECC_NIST_EDWARDS25519, HMAC_224/384/512 and DeriveSharedSecret through the
 * real AWS SDK against the real server. Signatures are verified and shared secrets recomputed
 * with node:crypto from GetPublicKey's SPKI; MACs are recomputed over imported material.
 */
let server: ServerProcess;
let kms: KMSClient;
let stranger: KMSClient;

beforeAll(async () => {
  server = await startServer({ env: { KMS_WORKERS: "2" } });
  kms = awsClient(server.url, TEST_ADMIN);
  stranger = awsClient(server.url, await createPrincipal(sqliteArgs(server.dataDir), "frank"));
});

afterAll(async () => {
  kms?.destroy();
  stranger?.destroy();
  await server?.stop();
});

const newKey = async (input: CreateKeyCommandInput) => (await kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const publicKeyOf = async (KeyId: string): Promise<KeyObject> => {
  const out = await kms.send(new GetPublicKeyCommand({ KeyId }));
  return createPublicKey({ key: Buffer.from(out.PublicKey!), format: "der", type: "spki" });
};
const spki = (k: KeyObject) => k.export({ type: "spki", format: "der" });

describe.each([
  ["ECC_NIST_P384", "ECDSA_SHA_384", "sha384", "secp384r1"],
  ["ECC_NIST_P521", "ECDSA_SHA_512", "sha512", "secp521r1"],
] as const)("%s SIGN_VERIFY", (KeySpec, algorithm, hash, curve) => {
  it("DescribeKey and GetPublicKey list only its ECDSA; RAW and DIGEST signatures verify with node:crypto", async () => {
    const key = await newKey({ KeySpec, KeyUsage: "SIGN_VERIFY" });
    expect(key).toMatchObject({ KeySpec, CustomerMasterKeySpec: KeySpec, SigningAlgorithms: [algorithm] });
    expect(key.KeyAgreementAlgorithms).toBeUndefined();
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    expect(pub).toMatchObject({ KeySpec, KeyUsage: "SIGN_VERIFY", SigningAlgorithms: [algorithm] });
    const publicKey = await publicKeyOf(key.KeyId!);
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe(curve);
    const message = randomBytes(1000);
    for (const [MessageType, Message] of [
      ["RAW", message],
      ["DIGEST", createHash(hash).update(message).digest()],
    ] as const) {
      const signed = await kms.send(
        new SignCommand({ KeyId: key.KeyId, Message, MessageType, SigningAlgorithm: algorithm }),
      );
      expect(signed).toMatchObject({ KeyId: key.Arn, SigningAlgorithm: algorithm });
      const signature = Buffer.from(signed.Signature!);
      expect(nodeVerify(hash, message, { key: publicKey, dsaEncoding: "der" }, signature)).toBe(true);
      const ok = await kms.send(
        new VerifyCommand({
          KeyId: key.KeyId,
          Message,
          MessageType,
          Signature: signature,
          SigningAlgorithm: algorithm,
        }),
      );
      expect(ok.SignatureValid).toBe(true);
      const other = Buffer.from(Message);
      other[0]! ^= 1;
      expect(
        await awsErrorName(
          kms.send(
            new VerifyCommand({
              KeyId: key.KeyId,
              Message: other,
              MessageType,
              Signature: signature,
              SigningAlgorithm: algorithm,
            }),
          ),
        ),
      ).toBe("KMSInvalidSignatureException");
    }
    for (const wrong of ["ECDSA_SHA_256", "ED25519_SHA_512", "RSASSA_PSS_SHA_384"] as const) {
      expect(
        await awsErrorName(
          kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.from("m"), SigningAlgorithm: wrong })),
        ),
      ).toBe("InvalidKeyUsageException");
    }
  });
});

describe("ECC_NIST_EDWARDS25519", () => {
  let key: Awaited<ReturnType<typeof newKey>>;
  beforeAll(async () => {
    key = await newKey({ KeySpec: "ECC_NIST_EDWARDS25519", KeyUsage: "SIGN_VERIFY" });
  });

  it("DescribeKey lists ED25519_SHA_512 and ED25519_PH_SHA_512 and no deprecated CustomerMasterKeySpec", async () => {
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
    expect(described).toMatchObject({
      KeySpec: "ECC_NIST_EDWARDS25519",
      KeyUsage: "SIGN_VERIFY",
      SigningAlgorithms: ["ED25519_SHA_512", "ED25519_PH_SHA_512"],
    });
    expect(described.CustomerMasterKeySpec).toBeUndefined();
  });

  it("ED25519_SHA_512 over RAW verifies with crypto.verify; over DIGEST it is ValidationException", async () => {
    const publicKey = await publicKeyOf(key.KeyId!);
    expect(publicKey.asymmetricKeyType).toBe("ed25519");
    const Message = randomBytes(4096);
    const signed = await kms.send(new SignCommand({ KeyId: key.KeyId, Message, SigningAlgorithm: "ED25519_SHA_512" }));
    expect(signed.SigningAlgorithm).toBe("ED25519_SHA_512");
    expect(nodeVerify(null, Message, publicKey, Buffer.from(signed.Signature!))).toBe(true);
    const ok = await kms.send(
      new VerifyCommand({
        KeyId: key.KeyId,
        Message,
        Signature: signed.Signature,
        SigningAlgorithm: "ED25519_SHA_512",
      }),
    );
    expect(ok.SignatureValid).toBe(true);
    const digest = createHash("sha512").update(Message).digest();
    expect(
      await awsErrorName(
        kms.send(
          new SignCommand({
            KeyId: key.KeyId,
            Message: digest,
            MessageType: "DIGEST",
            SigningAlgorithm: "ED25519_SHA_512",
          }),
        ),
      ),
    ).toBe("ValidationException");
  });

  it("ED25519_PH_SHA_512 is UnsupportedOperationException (docs/aws-compatibility.md); ECDSA is InvalidKeyUsageException", async () => {
    const digest = createHash("sha512").update("m").digest();
    expect(
      await awsErrorName(
        kms.send(
          new SignCommand({
            KeyId: key.KeyId,
            Message: digest,
            MessageType: "DIGEST",
            SigningAlgorithm: "ED25519_PH_SHA_512",
          }),
        ),
      ),
    ).toBe("UnsupportedOperationException");
    expect(
      await awsErrorName(
        kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.from("m"), SigningAlgorithm: "ECDSA_SHA_512" })),
      ),
    ).toBe("InvalidKeyUsageException");
  });

  it("KEY_AGREEMENT is not a usage of Ed25519 or secp256k1 (ValidationException)", async () => {
    for (const KeySpec of ["ECC_NIST_EDWARDS25519", "ECC_SECG_P256K1"] as const) {
      expect(await awsErrorName(kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: "KEY_AGREEMENT" })))).toBe(
        "ValidationException",
      );
    }
  });
});

describe.each([
  ["HMAC_224", "HMAC_SHA_224", "sha224", 28],
  ["HMAC_384", "HMAC_SHA_384", "sha384", 48],
  ["HMAC_512", "HMAC_SHA_512", "sha512", 64],
] as const)("%s", (KeySpec, algorithm, hash, bytes) => {
  it("GenerateMac equals crypto.createHmac over imported material; VerifyMac accepts it", async () => {
    const key = await newKey({ KeySpec, KeyUsage: "GENERATE_VERIFY_MAC", Origin: "EXTERNAL" });
    const material = randomBytes(bytes);
    const params = await kms.send(
      new GetParametersForImportCommand({
        KeyId: key.KeyId,
        WrappingAlgorithm: "RSAES_OAEP_SHA_256",
        WrappingKeySpec: "RSA_2048",
      }),
    );
    await kms.send(
      new ImportKeyMaterialCommand({
        KeyId: key.KeyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapForImport("RSAES_OAEP_SHA_256", params.PublicKey!, material),
        ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
      }),
    );
    const Message = randomBytes(512);
    const out = await kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message, MacAlgorithm: algorithm }));
    expect(out).toMatchObject({ KeyId: key.Arn, MacAlgorithm: algorithm });
    expect(Buffer.from(out.Mac!).equals(createHmac(hash, material).update(Message).digest())).toBe(true);
    const ok = await kms.send(
      new VerifyMacCommand({ KeyId: key.KeyId, Message, Mac: out.Mac, MacAlgorithm: algorithm }),
    );
    expect(ok).toMatchObject({ MacValid: true, MacAlgorithm: algorithm });
  });

  it(`a generated key: DescribeKey lists ${algorithm}, MACs are ${bytes} bytes, other algorithms InvalidKeyUsageException`, async () => {
    const key = await newKey({ KeySpec, KeyUsage: "GENERATE_VERIFY_MAC" });
    expect(key).toMatchObject({ KeySpec, MacAlgorithms: [algorithm] });
    const out = await kms.send(
      new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.from("m"), MacAlgorithm: algorithm }),
    );
    expect(out.Mac).toHaveLength(bytes);
    for (const other of ["HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"] as const) {
      if (other === algorithm) continue;
      expect(
        await awsErrorName(
          kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.from("m"), MacAlgorithm: other })),
        ),
      ).toBe("InvalidKeyUsageException");
    }
  });
});

describe.each([
  ["ECC_NIST_P256", "prime256v1"],
  ["ECC_NIST_P384", "secp384r1"],
  ["ECC_NIST_P521", "secp521r1"],
] as const)("%s KEY_AGREEMENT: DeriveSharedSecret", (KeySpec, curve) => {
  let key: Awaited<ReturnType<typeof newKey>>;
  beforeAll(async () => {
    key = await newKey({ KeySpec, KeyUsage: "KEY_AGREEMENT" });
  });

  it("DescribeKey and GetPublicKey list ECDH; the raw secret equals crypto.diffieHellman's", async () => {
    expect(key).toMatchObject({ KeySpec, KeyUsage: "KEY_AGREEMENT", KeyAgreementAlgorithms: ["ECDH"] });
    expect(key.SigningAlgorithms).toBeUndefined();
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    expect(pub).toMatchObject({ KeyUsage: "KEY_AGREEMENT", KeyAgreementAlgorithms: ["ECDH"] });
    const local = generateKeyPairSync("ec", { namedCurve: curve });
    const out = await kms.send(
      new DeriveSharedSecretCommand({
        KeyId: key.KeyId,
        KeyAgreementAlgorithm: "ECDH",
        PublicKey: spki(local.publicKey),
      }),
    );
    expect(out).toMatchObject({ KeyId: key.Arn, KeyAgreementAlgorithm: "ECDH", KeyOrigin: "AWS_KMS" });
    const expected = diffieHellman({ privateKey: local.privateKey, publicKey: await publicKeyOf(key.KeyId!) });
    expect(Buffer.from(out.SharedSecret!).equals(expected)).toBe(true);
  });

  it("a public key on another curve or not DER SPKI is ValidationException; a missing algorithm too", async () => {
    const otherCurve = curve === "prime256v1" ? "secp521r1" : "prime256v1";
    for (const PublicKey of [
      spki(generateKeyPairSync("ec", { namedCurve: otherCurve }).publicKey),
      spki(generateKeyPairSync("ed25519").publicKey),
      Buffer.from("-----BEGIN PUBLIC KEY-----"),
    ]) {
      expect(
        await awsErrorName(
          kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey })),
        ),
      ).toBe("ValidationException");
    }
    const peer = spki(generateKeyPairSync("ec", { namedCurve: curve }).publicKey);
    expect(
      await awsErrorName(kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, PublicKey: peer } as never))),
    ).toBe("ValidationException");
  });
});

describe("DeriveSharedSecret: usage, access, grants, DryRun and the audit trail", () => {
  const peer = () => spki(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey);

  it("a SIGN_VERIFY or symmetric key is InvalidKeyUsageException; Sign with a KEY_AGREEMENT key too", async () => {
    const signing = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    const symmetric = await newKey({});
    for (const KeyId of [signing.KeyId, symmetric.KeyId]) {
      expect(
        await awsErrorName(
          kms.send(new DeriveSharedSecretCommand({ KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey: peer() })),
        ),
      ).toBe("InvalidKeyUsageException");
    }
    const agreeing = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "KEY_AGREEMENT" });
    expect(
      await awsErrorName(
        kms.send(
          new SignCommand({ KeyId: agreeing.KeyId, Message: Buffer.from("m"), SigningAlgorithm: "ECDSA_SHA_256" }),
        ),
      ),
    ).toBe("InvalidKeyUsageException");
  });

  it("needs kms:DeriveSharedSecret: a stranger is denied until a DeriveSharedSecret grant; a GetPublicKey grant is not enough", async () => {
    const key = await newKey({ KeySpec: "ECC_NIST_P384", KeyUsage: "KEY_AGREEMENT" });
    const local = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
    const req = { KeyId: key.Arn, KeyAgreementAlgorithm: "ECDH" as const, PublicKey: spki(local.publicKey) };
    expect(await awsErrorName(stranger.send(new DeriveSharedSecretCommand(req)))).toBe("AccessDeniedException");
    const signOnly = await kms.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: "frank", Operations: ["GetPublicKey"] }),
    );
    expect(
      await awsErrorName(stranger.send(new DeriveSharedSecretCommand({ ...req, GrantTokens: [signOnly.GrantToken!] }))),
    ).toBe("AccessDeniedException");
    const grant = await kms.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: "frank", Operations: ["DeriveSharedSecret"] }),
    );
    const out = await stranger.send(new DeriveSharedSecretCommand({ ...req, GrantTokens: [grant.GrantToken!] }));
    const expected = diffieHellman({ privateKey: local.privateKey, publicKey: await publicKeyOf(key.KeyId!) });
    expect(Buffer.from(out.SharedSecret!).equals(expected)).toBe(true);

    const last = await kms.send(new GetKeyLastUsageCommand({ KeyId: key.KeyId }));
    expect(last.KeyLastUsage?.Operation).toBe("DeriveSharedSecret");
    expect(last.KeyLastUsage?.KmsRequestId).toBe(out.$metadata.requestId);
  });

  it("a key policy allowing kms:DeriveSharedSecret lets the stranger derive; one allowing kms:Sign does not", async () => {
    const statement = (Action: string) => ({ Effect: "Allow", Principal: { KMS: "frank" }, Action, Resource: "*" });
    const policy = (Action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [statement(Action)] });
    const PublicKey = spki(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey);
    const signOnly = await newKey({ KeySpec: "ECC_NIST_P256", KeyUsage: "KEY_AGREEMENT", Policy: policy("kms:Sign") });
    const req = (KeyId: string | undefined) =>
      new DeriveSharedSecretCommand({ KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey });
    expect(await awsErrorName(stranger.send(req(signOnly.KeyId)))).toBe("AccessDeniedException");
    const allowed = await newKey({
      KeySpec: "ECC_NIST_P256",
      KeyUsage: "KEY_AGREEMENT",
      Policy: policy("kms:DeriveSharedSecret"),
    });
    expect((await stranger.send(req(allowed.KeyId))).SharedSecret).toHaveLength(32);
  });

  it("DryRun answers DryRunOperationException and derives nothing", async () => {
    const key = await newKey({ KeySpec: "ECC_NIST_P521", KeyUsage: "KEY_AGREEMENT" });
    const PublicKey = spki(generateKeyPairSync("ec", { namedCurve: "secp521r1" }).publicKey);
    expect(
      await awsErrorName(
        kms.send(
          new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: "ECDH", PublicKey, DryRun: true }),
        ),
      ),
    ).toBe("DryRunOperationException");
    expect((await kms.send(new GetKeyLastUsageCommand({ KeyId: key.KeyId }))).KeyLastUsage).toEqual({});
  });
});

describe.each(["ECC_NIST_P384", "ECC_NIST_P521", "ECC_NIST_EDWARDS25519"] as const)(
  "GenerateDataKeyPair %s",
  (KeyPairSpec) => {
    it("the private key (plaintext and decrypted blob) is DER PKCS#8 that signs for the returned public key", async () => {
      const wrapping = await newKey({});
      const out = await kms.send(new GenerateDataKeyPairCommand({ KeyId: wrapping.KeyId, KeyPairSpec }));
      expect(out.KeyPairSpec).toBe(KeyPairSpec);
      const publicKey = createPublicKey({ key: Buffer.from(out.PublicKey!), format: "der", type: "spki" });
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
      expect(Buffer.from(dec.Plaintext!).equals(Buffer.from(out.PrivateKeyPlaintext!))).toBe(true);
      const privateKey = createPrivateKey({ key: Buffer.from(dec.Plaintext!), format: "der", type: "pkcs8" });
      expectPair(KeyPairSpec, privateKey, publicKey);

      const bare = await kms.send(
        new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: wrapping.KeyId, KeyPairSpec }),
      );
      expect("PrivateKeyPlaintext" in bare).toBe(false);
      const opened = await kms.send(new DecryptCommand({ CiphertextBlob: bare.PrivateKeyCiphertextBlob }));
      expectPair(
        KeyPairSpec,
        createPrivateKey({ key: Buffer.from(opened.Plaintext!), format: "der", type: "pkcs8" }),
        createPublicKey({ key: Buffer.from(bare.PublicKey!), format: "der", type: "spki" }),
      );
    });
  },
);

/** A pair of `spec` whose private key signs (and, on a NIST curve, agrees) for its public key. */
function expectPair(spec: KeySpec | string, privateKey: KeyObject, publicKey: KeyObject): void {
  const message = randomBytes(32);
  const digest = spec === "ECC_NIST_EDWARDS25519" ? null : "sha256";
  expect(publicKey.asymmetricKeyType).toBe(spec === "ECC_NIST_EDWARDS25519" ? "ed25519" : "ec");
  expect(nodeVerify(digest, message, publicKey, nodeSign(digest, message, privateKey))).toBe(true);
  if (spec !== "ECC_NIST_EDWARDS25519") {
    const namedCurve = spec === "ECC_NIST_P384" ? "secp384r1" : "secp521r1";
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe(namedCurve);
    const local = generateKeyPairSync("ec", { namedCurve });
    expect(
      diffieHellman({ privateKey, publicKey: local.publicKey }).equals(
        diffieHellman({ privateKey: local.privateKey, publicKey }),
      ),
    ).toBe(true);
  }
}
