import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, verify as nodeVerify } from "node:crypto";
import {
  CreateKeyCommand,
  DecapsulateCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncapsulateCommand,
  GenerateDataKeyPairCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
  VerifyCommand,
} from "@aws-sdk/client-kms";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectGrpcError, type GrpcClients, grpcClients, type WireKeyMetadata } from "../helpers/grpc-client.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";
import { errorName } from "../helpers/aws-target.js";
import { externalMu, kem, runtimeHasPostQuantum } from "../helpers/post-quantum.js";
import { mlDsaMuAvailable } from "../../src/crypto/ml-dsa-mu.js";

/**
 * ML-DSA (FIPS 204) and ML-KEM (FIPS 203) through the real server, with grpc-js and the AWS SDK.
 * Every signature is verified with node:crypto against GetPublicKey's SPKI, every shared secret
 * checked against node:crypto's own encapsulation or decapsulation. The runtime's capability
 * (`../helpers/post-quantum.ts`) says which half applies: on Node.js >= 24.7 the round trips, on
 * Node.js 20 the refusals. Each half runs only where it applies, and each can fail there.
 * EXTERNAL_MU also needs the ml-dsa-mu addon that `npm install` builds on Node.js 24 (the server
 * runs from this same tree and runtime, so the test's view of it is the server's); .ci/run's
 * Node.js 24 pass fails if the addon was not built, so its half cannot be skipped there.
 */
const PQ = runtimeHasPostQuantum();
const MU = PQ && mlDsaMuAvailable();
const ML_DSA = [
  { spec: "ML_DSA_44", signatureBytes: 2420 },
  { spec: "ML_DSA_65", signatureBytes: 3309 },
  { spec: "ML_DSA_87", signatureBytes: 4627 },
] as const;
const ML_KEM = [
  { spec: "ML_KEM_512", ciphertextBytes: 768 },
  { spec: "ML_KEM_768", ciphertextBytes: 1088 },
  { spec: "ML_KEM_1024", ciphertextBytes: 1568 },
] as const;

let server: ServerProcess;
let c: GrpcClients;
let kms: KMSClient;

beforeAll(async () => {
  server = await startServer({ env: { KMS_WORKERS: "2" } });
  c = grpcClients(server.url);
  kms = new KMSClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey },
  });
});

afterAll(async () => {
  c?.close();
  kms?.destroy();
  await server?.stop();
});

const createKey = async (keySpec: string, keyUsage: string): Promise<WireKeyMetadata> =>
  (await c.keys.CreateKey({ keySpec: `KEY_SPEC_${keySpec}`, keyUsage: `KEY_USAGE_${keyUsage}` })).key;

async function spkiOf(keyId: string): Promise<{ key: KeyObject; res: Record<string, unknown> }> {
  const res = await c.crypto.GetPublicKey({ keyId });
  return { key: createPublicKey({ key: res.publicKey as Buffer, format: "der", type: "spki" }), res };
}

function flipped(buf: Buffer, at = 0): Buffer {
  const out = Buffer.from(buf);
  out[at] = out[at]! ^ 0x01;
  return out;
}

describe.runIf(PQ)("ML-DSA over kms.v1 (grpc-js)", () => {
  describe.each(ML_DSA)("$spec", ({ spec, signatureBytes }) => {
    let key: WireKeyMetadata;
    beforeAll(async () => {
      key = await createKey(spec, "SIGN_VERIFY");
    });

    it("is created SIGN_VERIFY, and GetPublicKey lists ML_DSA_SHAKE_256 with an SPKI of the spec", async () => {
      expect(key.keySpec).toBe(`KEY_SPEC_${spec}`);
      expect(key.keyUsage).toBe("KEY_USAGE_SIGN_VERIFY");
      const { key: spki, res } = await spkiOf(key.keyId);
      expect(spki.asymmetricKeyType).toBe(spec.toLowerCase().replaceAll("_", "-"));
      expect(res.signingAlgorithms).toEqual(["SIGNING_ALGORITHM_ML_DSA_SHAKE_256"]);
      expect(res.encapsulationAlgorithms).toEqual([]);
    });

    it.each([1, 4096])("signs a %i-byte RAW message; node:crypto verifies it with the SPKI", async (n) => {
      const message = randomBytes(n);
      const out = await c.crypto.Sign({
        keyId: key.keyId,
        message,
        messageType: "MESSAGE_TYPE_RAW",
        signingAlgorithm: "SIGNING_ALGORITHM_ML_DSA_SHAKE_256",
      });
      expect(out.signingAlgorithm).toBe("SIGNING_ALGORITHM_ML_DSA_SHAKE_256");
      expect(out.signature).toHaveLength(signatureBytes);
      const { key: spki } = await spkiOf(key.keyId);
      expect(nodeVerify(null, message, spki, out.signature)).toBe(true);
      expect(nodeVerify(null, flipped(message), spki, out.signature)).toBe(false);
      const verify = (msg: Buffer, signature: Buffer) =>
        c.crypto.Verify({ keyId: key.keyId, message: msg, signature, messageType: "MESSAGE_TYPE_RAW" });
      expect((await verify(message, out.signature)).signatureValid).toBe(true);
      expect((await verify(message, flipped(out.signature, 7))).signatureValid).toBe(false);
      expect((await verify(flipped(message), out.signature)).signatureValid).toBe(false);
    });
  });

  describe("refusals", () => {
    let mlDsa: WireKeyMetadata;
    let ec: WireKeyMetadata;
    beforeAll(async () => {
      [mlDsa, ec] = await Promise.all([createKey("ML_DSA_44", "SIGN_VERIFY"), createKey("EC_P256", "SIGN_VERIFY")]);
    });
    const sign = (keyId: string, message: Buffer, messageType: string, signingAlgorithm: string) =>
      c.crypto.Sign({ keyId, message, messageType: `MESSAGE_TYPE_${messageType}`, signingAlgorithm });

    it("an algorithm that does not fit the spec is InvalidKeyUsage, both ways", async () => {
      const msg = randomBytes(32);
      await expectGrpcError(
        sign(mlDsa.keyId, msg, "RAW", "SIGNING_ALGORITHM_ECDSA_SHA_256"),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
      await expectGrpcError(
        sign(ec.keyId, msg, "RAW", "SIGNING_ALGORITHM_ML_DSA_SHAKE_256"),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
    });

    it("DIGEST, a RAW message over 4096 bytes and a mu that is not 64 bytes are ValidationException", async () => {
      const alg = "SIGNING_ALGORITHM_ML_DSA_SHAKE_256";
      for (const [message, type] of [
        [randomBytes(64), "DIGEST"],
        [randomBytes(4097), "RAW"],
        [randomBytes(32), "EXTERNAL_MU"],
      ] as const) {
        await expectGrpcError(sign(mlDsa.keyId, message, type, alg), status.INVALID_ARGUMENT, "ValidationException");
      }
      await expectGrpcError(
        sign(ec.keyId, randomBytes(64), "EXTERNAL_MU", "SIGNING_ALGORITHM_ECDSA_SHA_256"),
        status.INVALID_ARGUMENT,
        "ValidationException",
      );
    });

    it.skipIf(MU)("without the ml-dsa-mu addon a 64-byte EXTERNAL_MU is UnsupportedOperation", async () => {
      await expectGrpcError(
        sign(mlDsa.keyId, randomBytes(64), "EXTERNAL_MU", "SIGNING_ALGORITHM_ML_DSA_SHAKE_256"),
        status.FAILED_PRECONDITION,
        "UnsupportedOperationException",
      );
    });

    it("ML-DSA keys are SIGN_VERIFY only and have no data key pairs", async () => {
      await expectGrpcError(createKey("ML_DSA_65", "ENCRYPT_DECRYPT"), status.INVALID_ARGUMENT, "ValidationException");
      await expectGrpcError(
        createKey("ML_DSA_65", "ENCAPSULATE_DECAPSULATE"),
        status.INVALID_ARGUMENT,
        "ValidationException",
      );
    });
  });
});

describe.runIf(PQ)("ML-KEM over kms.v1 (grpc-js)", () => {
  describe.each(ML_KEM)("$spec", ({ spec, ciphertextBytes }) => {
    let key: WireKeyMetadata;
    beforeAll(async () => {
      key = await createKey(spec, "ENCAPSULATE_DECAPSULATE");
    });

    it("GetPublicKey lists ML_KEM and gives an SPKI of the spec", async () => {
      expect(key.keyUsage).toBe("KEY_USAGE_ENCAPSULATE_DECAPSULATE");
      const { key: spki, res } = await spkiOf(key.keyId);
      expect(spki.asymmetricKeyType).toBe(spec.toLowerCase().replaceAll("_", "-"));
      expect(res.encapsulationAlgorithms).toEqual(["ENCAPSULATION_ALGORITHM_ML_KEM"]);
      expect(res.signingAlgorithms).toEqual([]);
    });

    it("Encapsulate gives a 32-byte secret that Decapsulate recovers", async () => {
      const enc = await c.crypto.Encapsulate({ keyId: key.keyId });
      expect(enc.sharedSecret).toHaveLength(32);
      expect(enc.sharedSecretCiphertext).toHaveLength(ciphertextBytes);
      expect(enc.encapsulationAlgorithm).toBe("ENCAPSULATION_ALGORITHM_ML_KEM");
      const dec = await c.crypto.Decapsulate({ keyId: key.keyId, sharedSecretCiphertext: enc.sharedSecretCiphertext });
      expect(dec.sharedSecret.equals(enc.sharedSecret)).toBe(true);
      const again = await c.crypto.Encapsulate({
        keyId: key.keyId,
        encapsulationAlgorithm: "ENCAPSULATION_ALGORITHM_ML_KEM",
      });
      expect(again.sharedSecret.equals(enc.sharedSecret)).toBe(false);
    });

    it("decapsulates what node:crypto encapsulated offline to GetPublicKey's SPKI", async () => {
      const { key: spki } = await spkiOf(key.keyId);
      const { sharedKey, ciphertext } = kem.encapsulate!(spki);
      const dec = await c.crypto.Decapsulate({ keyId: key.keyId, sharedSecretCiphertext: ciphertext });
      expect(dec.sharedSecret.equals(sharedKey)).toBe(true);
    });

    it("a tampered ciphertext gives another secret (implicit rejection); a wrong length is InvalidCiphertext", async () => {
      const enc = await c.crypto.Encapsulate({ keyId: key.keyId });
      const tampered = await c.crypto.Decapsulate({
        keyId: key.keyId,
        sharedSecretCiphertext: flipped(enc.sharedSecretCiphertext, 5),
      });
      expect(tampered.sharedSecret).toHaveLength(32);
      expect(tampered.sharedSecret.equals(enc.sharedSecret)).toBe(false);
      for (const wrong of [
        enc.sharedSecretCiphertext.subarray(1),
        Buffer.concat([enc.sharedSecretCiphertext, Buffer.alloc(1)]),
      ]) {
        await expectGrpcError(
          c.crypto.Decapsulate({ keyId: key.keyId, sharedSecretCiphertext: wrong }),
          status.INVALID_ARGUMENT,
          "InvalidCiphertextException",
        );
      }
    });
  });

  describe("refusals and data key pairs", () => {
    let mlKem: WireKeyMetadata;
    let aes: WireKeyMetadata;
    let ec: WireKeyMetadata;
    beforeAll(async () => {
      [mlKem, aes, ec] = await Promise.all([
        createKey("ML_KEM_512", "ENCAPSULATE_DECAPSULATE"),
        createKey("AES_256", "ENCRYPT_DECRYPT"),
        createKey("EC_P256", "SIGN_VERIFY"),
      ]);
    });

    it("Encapsulate/Decapsulate on another usage, and Sign or Encrypt on an ML-KEM key, are InvalidKeyUsage", async () => {
      await expectGrpcError(
        c.crypto.Encapsulate({ keyId: ec.keyId }),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
      await expectGrpcError(
        c.crypto.Decapsulate({ keyId: aes.keyId, sharedSecretCiphertext: randomBytes(768) }),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
      await expectGrpcError(
        c.crypto.Sign({
          keyId: mlKem.keyId,
          message: randomBytes(8),
          signingAlgorithm: "SIGNING_ALGORITHM_ML_DSA_SHAKE_256",
        }),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
      await expectGrpcError(
        c.crypto.Encrypt({ keyId: mlKem.keyId, plaintext: randomBytes(8) }),
        status.FAILED_PRECONDITION,
        "InvalidKeyUsageException",
      );
      await expectGrpcError(createKey("ML_KEM_768", "SIGN_VERIFY"), status.INVALID_ARGUMENT, "ValidationException");
    });

    it.each(["PEM", "DER"] as const)(
      "GenerateDataKeyPair ML_KEM_768 (%s) gives a PKCS#8 key that decapsulates",
      async (format) => {
        const out = await c.dataKeys.GenerateDataKeyPair({
          keyId: aes.keyId,
          keyPairSpec: "KEY_PAIR_SPEC_ML_KEM_768",
          keyFormat: `KEY_FORMAT_${format}`,
        });
        expect(out.keyPairSpec).toBe("KEY_PAIR_SPEC_ML_KEM_768");
        const encoding = format === "PEM" ? ({ format: "pem" } as const) : ({ format: "der", type: "pkcs8" } as const);
        const privateKey = createPrivateKey({ key: out.privateKeyPlaintext, ...encoding });
        const publicKey = createPublicKey(
          format === "PEM"
            ? { key: out.publicKey, format: "pem" }
            : { key: out.publicKey, format: "der", type: "spki" },
        );
        expect(privateKey.asymmetricKeyType).toBe("ml-kem-768");
        const { sharedKey, ciphertext } = kem.encapsulate!(publicKey);
        expect(kem.decapsulate!(privateKey, ciphertext).equals(sharedKey)).toBe(true);
        const opened = await c.crypto.Decrypt({
          keyId: aes.keyId,
          ciphertextBlob: out.privateKeyCiphertextBlob,
          iv: out.iv,
          algorithm: out.algorithm,
        });
        expect(opened.plaintext.equals(out.privateKeyPlaintext)).toBe(true);
      },
    );

    it("there are no ML-DSA data key pairs (AWS has none)", async () => {
      await expectGrpcError(
        c.dataKeys.GenerateDataKeyPair({ keyId: aes.keyId, keyPairSpec: 20, keyFormat: "KEY_FORMAT_DER" }),
        status.INVALID_ARGUMENT,
        "ValidationException",
      );
    });
  });
});

describe.runIf(PQ)("ML-DSA and ML-KEM over the AWS endpoint (@aws-sdk/client-kms)", () => {
  it("ML_DSA_65: DescribeKey and GetPublicKey list ML_DSA_SHAKE_256; Sign verifies offline and with Verify", async () => {
    const created = await kms.send(new CreateKeyCommand({ KeySpec: "ML_DSA_65", KeyUsage: "SIGN_VERIFY" }));
    const KeyId = created.KeyMetadata!.KeyId!;
    expect(created.KeyMetadata!.SigningAlgorithms).toEqual(["ML_DSA_SHAKE_256"]);
    const described = await kms.send(new DescribeKeyCommand({ KeyId }));
    expect(described.KeyMetadata).toMatchObject({ KeySpec: "ML_DSA_65", SigningAlgorithms: ["ML_DSA_SHAKE_256"] });
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId }));
    expect(pub.SigningAlgorithms).toEqual(["ML_DSA_SHAKE_256"]);
    const spki = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: "der", type: "spki" });
    const Message = randomBytes(4096);
    const signed = await kms.send(
      new SignCommand({ KeyId, Message, MessageType: "RAW", SigningAlgorithm: "ML_DSA_SHAKE_256" }),
    );
    const signature = Buffer.from(signed.Signature!);
    expect(nodeVerify(null, Message, spki, signature)).toBe(true);
    const verified = await kms.send(
      new VerifyCommand({ KeyId, Message, Signature: signature, SigningAlgorithm: "ML_DSA_SHAKE_256" }),
    );
    expect(verified.SignatureValid).toBe(true);
    expect(
      await errorName(
        kms.send(
          new VerifyCommand({ KeyId, Message, Signature: flipped(signature, 3), SigningAlgorithm: "ML_DSA_SHAKE_256" }),
        ),
      ),
    ).toBe("KMSInvalidSignatureException");
    expect(await errorName(kms.send(new SignCommand({ KeyId, Message, SigningAlgorithm: "ECDSA_SHA_256" })))).toBe(
      "InvalidKeyUsageException",
    );
  });

  it("ML_KEM_1024: Encapsulate/Decapsulate agree, node:crypto agrees, a wrong length is InvalidCiphertext", async () => {
    const created = await kms.send(
      new CreateKeyCommand({ KeySpec: "ML_KEM_1024", KeyUsage: "ENCAPSULATE_DECAPSULATE" }),
    );
    const KeyId = created.KeyMetadata!.KeyId!;
    const described = await kms.send(new DescribeKeyCommand({ KeyId }));
    expect(described.KeyMetadata).toMatchObject({
      KeySpec: "ML_KEM_1024",
      KeyUsage: "ENCAPSULATE_DECAPSULATE",
      EncapsulationAlgorithms: ["ML_KEM"],
    });
    expect(described.KeyMetadata!.SigningAlgorithms).toBeUndefined();
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId }));
    expect(pub.EncapsulationAlgorithms).toEqual(["ML_KEM"]);
    const enc = await kms.send(new EncapsulateCommand({ KeyId, EncapsulationAlgorithm: "ML_KEM" }));
    expect(enc.SharedSecret).toHaveLength(32);
    expect(enc.SharedSecretCiphertextBlob).toHaveLength(1568);
    expect(enc.EncapsulationAlgorithm).toBe("ML_KEM");
    const dec = await kms.send(
      new DecapsulateCommand({
        KeyId,
        SharedSecretCiphertextBlob: enc.SharedSecretCiphertextBlob,
        EncapsulationAlgorithm: "ML_KEM",
      }),
    );
    expect(Buffer.from(dec.SharedSecret!).equals(Buffer.from(enc.SharedSecret!))).toBe(true);
    const spki = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: "der", type: "spki" });
    const offline = kem.encapsulate!(spki);
    const fromOffline = await kms.send(
      new DecapsulateCommand({
        KeyId,
        SharedSecretCiphertextBlob: offline.ciphertext,
        EncapsulationAlgorithm: "ML_KEM",
      }),
    );
    expect(Buffer.from(fromOffline.SharedSecret!).equals(offline.sharedKey)).toBe(true);
    expect(
      await errorName(
        kms.send(
          new DecapsulateCommand({
            KeyId,
            SharedSecretCiphertextBlob: randomBytes(1088),
            EncapsulationAlgorithm: "ML_KEM",
          }),
        ),
      ),
    ).toBe("InvalidCiphertextException");
    expect(
      await errorName(
        kms.send(new SignCommand({ KeyId, Message: randomBytes(8), SigningAlgorithm: "ML_DSA_SHAKE_256" })),
      ),
    ).toBe("InvalidKeyUsageException");
  });

  it("GenerateDataKeyPair ML_KEM_512 gives a PKCS#8 DER key that decapsulates, sealed under the KMS key", async () => {
    const sym = await kms.send(new CreateKeyCommand({}));
    const KeyId = sym.KeyMetadata!.KeyId!;
    const out = await kms.send(new GenerateDataKeyPairCommand({ KeyId, KeyPairSpec: "ML_KEM_512" }));
    expect(out.KeyPairSpec).toBe("ML_KEM_512");
    const privateKey = createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext!), format: "der", type: "pkcs8" });
    const publicKey = createPublicKey({ key: Buffer.from(out.PublicKey!), format: "der", type: "spki" });
    expect(privateKey.asymmetricKeyType).toBe("ml-kem-512");
    const { sharedKey, ciphertext } = kem.encapsulate!(publicKey);
    expect(kem.decapsulate!(privateKey, ciphertext).equals(sharedKey)).toBe(true);
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
    expect(Buffer.from(opened.Plaintext!).equals(Buffer.from(out.PrivateKeyPlaintext!))).toBe(true);
  });
});

describe.runIf(MU)("ML-DSA EXTERNAL_MU: the caller's 64-byte mu (FIPS 204 §6.2), both surfaces", () => {
  const ALG = "SIGNING_ALGORITHM_ML_DSA_SHAKE_256";
  describe.each(ML_DSA)("$spec", ({ spec, signatureBytes }) => {
    let keyId: string;
    let spkiDer: Buffer;
    let spki: KeyObject;
    beforeAll(async () => {
      keyId = (await createKey(spec, "SIGN_VERIFY")).keyId;
      const { key, res } = await spkiOf(keyId);
      spki = key;
      spkiDer = res.publicKey as Buffer;
    });
    const signMu = (message: Buffer) =>
      c.crypto.Sign({ keyId, message, messageType: "MESSAGE_TYPE_EXTERNAL_MU", signingAlgorithm: ALG });
    const verify = (message: Buffer, signature: Buffer, type = "EXTERNAL_MU") =>
      c.crypto.Verify({ keyId, message, signature, messageType: `MESSAGE_TYPE_${type}`, signingAlgorithm: ALG });

    it.each([100, 10_000])(
      "kms.v1: Sign over the mu of a %i-byte message verifies offline as ML-DSA over the message; Verify agrees",
      async (n) => {
        const message = randomBytes(n);
        const mu = externalMu(spkiDer, message);
        const out = await signMu(mu);
        expect(out.signingAlgorithm).toBe(ALG);
        expect(out.signature).toHaveLength(signatureBytes);
        expect(nodeVerify(null, message, spki, out.signature)).toBe(true);
        expect(nodeVerify(null, flipped(message), spki, out.signature)).toBe(false);
        expect((await verify(mu, out.signature)).signatureValid).toBe(true);
        expect((await verify(flipped(mu, 63), out.signature)).signatureValid).toBe(false);
        expect((await verify(mu, flipped(out.signature, 9))).signatureValid).toBe(false);
      },
    );

    it("kms.v1: RAW and EXTERNAL_MU signatures verify either way; a 63- or 65-byte mu is ValidationException", async () => {
      const message = randomBytes(4096);
      const mu = externalMu(spkiDer, message);
      const raw = await c.crypto.Sign({ keyId, message, messageType: "MESSAGE_TYPE_RAW", signingAlgorithm: ALG });
      expect((await verify(mu, raw.signature)).signatureValid).toBe(true);
      const fromMu = await signMu(mu);
      expect((await verify(message, fromMu.signature, "RAW")).signatureValid).toBe(true);
      for (const wrong of [mu.subarray(1), Buffer.concat([mu, Buffer.alloc(1)])]) {
        await expectGrpcError(signMu(wrong), status.INVALID_ARGUMENT, "ValidationException");
        await expectGrpcError(verify(wrong, fromMu.signature), status.INVALID_ARGUMENT, "ValidationException");
      }
    });

    it.each([100, 10_000])(
      "AWS SDK: Sign over the mu of a %i-byte message verifies offline; Verify agrees; a 63-byte mu is ValidationException",
      async (n) => {
        const pub = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
        const message = randomBytes(n);
        const mu = externalMu(pub.PublicKey!, message);
        const request = { KeyId: keyId, MessageType: "EXTERNAL_MU", SigningAlgorithm: "ML_DSA_SHAKE_256" } as const;
        const signed = await kms.send(new SignCommand({ ...request, Message: mu }));
        expect(signed.SigningAlgorithm).toBe("ML_DSA_SHAKE_256");
        const signature = Buffer.from(signed.Signature!);
        expect(signature).toHaveLength(signatureBytes);
        expect(nodeVerify(null, message, spki, signature)).toBe(true);
        const verified = await kms.send(new VerifyCommand({ ...request, Message: mu, Signature: signature }));
        expect(verified.SignatureValid).toBe(true);
        expect(
          await errorName(kms.send(new VerifyCommand({ ...request, Message: flipped(mu, 5), Signature: signature }))),
        ).toBe("KMSInvalidSignatureException");
        expect(await errorName(kms.send(new SignCommand({ ...request, Message: mu.subarray(1) })))).toBe(
          "ValidationException",
        );
        expect(
          await errorName(kms.send(new VerifyCommand({ ...request, Message: mu.subarray(1), Signature: signature }))),
        ).toBe("ValidationException");
      },
    );
  });
});

describe.runIf(PQ && !MU)("ML-DSA EXTERNAL_MU where the ml-dsa-mu addon was not built", () => {
  it("the AWS endpoint answers a 64-byte EXTERNAL_MU with UnsupportedOperationException", async () => {
    const created = await kms.send(new CreateKeyCommand({ KeySpec: "ML_DSA_44", KeyUsage: "SIGN_VERIFY" }));
    const request = {
      KeyId: created.KeyMetadata!.KeyId!,
      MessageType: "EXTERNAL_MU",
      SigningAlgorithm: "ML_DSA_SHAKE_256",
    } as const;
    expect(await errorName(kms.send(new SignCommand({ ...request, Message: randomBytes(64) })))).toBe(
      "UnsupportedOperationException",
    );
    expect(
      await errorName(
        kms.send(new VerifyCommand({ ...request, Message: randomBytes(64), Signature: randomBytes(2420) })),
      ),
    ).toBe("UnsupportedOperationException");
  });
});

describe.skipIf(PQ)("post-quantum specs on a runtime without them (Node.js < 24.7)", () => {
  it.each([...ML_DSA, ...ML_KEM])("CreateKey $spec is UnsupportedOperation naming Node.js 24.7", async ({ spec }) => {
    const usage = spec.startsWith("ML_DSA") ? "SIGN_VERIFY" : "ENCAPSULATE_DECAPSULATE";
    const err = await expectGrpcError(
      createKey(spec, usage),
      status.FAILED_PRECONDITION,
      "UnsupportedOperationException",
    );
    expect(err.details).toContain("24.7");
  });

  it("the AWS endpoint refuses CreateKey and GenerateDataKeyPair for them the same way", async () => {
    expect(await errorName(kms.send(new CreateKeyCommand({ KeySpec: "ML_DSA_44", KeyUsage: "SIGN_VERIFY" })))).toBe(
      "UnsupportedOperationException",
    );
    const sym = await kms.send(new CreateKeyCommand({}));
    expect(
      await errorName(
        kms.send(new GenerateDataKeyPairCommand({ KeyId: sym.KeyMetadata!.KeyId!, KeyPairSpec: "ML_KEM_768" })),
      ),
    ).toBe("UnsupportedOperationException");
  });

  it("GenerateDataKeyPair ML_KEM over kms.v1 is refused; classical specs still work", async () => {
    const aes = await createKey("AES_256", "ENCRYPT_DECRYPT");
    await expectGrpcError(
      c.dataKeys.GenerateDataKeyPair({
        keyId: aes.keyId,
        keyPairSpec: "KEY_PAIR_SPEC_ML_KEM_1024",
        keyFormat: "KEY_FORMAT_DER",
      }),
      status.FAILED_PRECONDITION,
      "UnsupportedOperationException",
    );
    const ec = await c.dataKeys.GenerateDataKeyPair({
      keyId: aes.keyId,
      keyPairSpec: "KEY_PAIR_SPEC_EC_P256",
      keyFormat: "KEY_FORMAT_DER",
    });
    expect(createPrivateKey({ key: ec.privateKeyPlaintext, format: "der", type: "pkcs8" }).asymmetricKeyType).toBe(
      "ec",
    );
  });
});
