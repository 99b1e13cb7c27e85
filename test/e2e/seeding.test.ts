import { createHmac, createPrivateKey, createPublicKey, verify as nodeVerify, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, SignCommand } from "@aws-sdk/client-kms";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededVersionId } from "../../src/seed/apply-seed.js";
import { expectGrpcError, grpcClients } from "../helpers/grpc-client.js";
import { awsClient } from "../helpers/security.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * Seeding through the real server. Server A starts from local-kms's documented seed example,
 * byte for byte (its README, "Seeding file format"); server B — another "machine": its own data
 * dir and root key — from our superset, which repeats A's AES key. The seeded material is checked
 * against node:crypto (the ECC signature with the PEM's public key, the HMAC with the backing key),
 * a ciphertext from A opens on B and after A restarts, and restarting changes nothing.
 */

const LOCAL_KMS_EXAMPLE = `Keys:
  Symmetric:
    Aes:
      - Metadata:
          KeyId: bc436485-5092-42b8-92a3-0aa8b93536dc
        BackingKeys:
          - 5cdaead27fe7da2de47945d73cd6d79e36494e73802f3cd3869f1d2cb0b5d7a9
  Asymmetric:
    Ecc:
      - Metadata:
          KeyId: 800d5768-3fd7-4edd-a4b8-4c81c3e4c147
          KeyUsage: SIGN_VERIFY
          Description: ECC key with curve secp256r1
        PrivateKeyPem: |
          -----BEGIN EC PRIVATE KEY-----
          MHcCAQEEIMnOrUrXr8rwne7d8f01cfwmpS/w+K7jcyWmmeLDgWKaoAoGCCqGSM49
          AwEHoUQDQgAEYNMBBZ3h1ipuph1iO5k+yLvTs94UN71quXN3f0P/tprs2Fp2FEas
          M7m7XZ2xlDK3wcEAs1QEIoQjjwnhcptQ6A==
          -----END EC PRIVATE KEY-----

Aliases:
  - AliasName: alias/testing
    TargetKeyId: bc436485-5092-42b8-92a3-0aa8b93536dc
`;

const AES_ID = "bc436485-5092-42b8-92a3-0aa8b93536dc";
const ECC_ID = "800d5768-3fd7-4edd-a4b8-4c81c3e4c147";
const ROTATED_ID = "49c5492b-b1bc-42a8-9a5c-b2015e810c1c";
const HMAC_ID = "f1234567-89ab-cdef-0123-456789abcdef";
const HMAC_HEX = "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";
const CI_TOKEN = "kms_seeded-ci-token-0123456789abcdef";

const SUPERSET = `Keys:
  Symmetric:
    Aes:
      - Metadata:
          KeyId: ${AES_ID}
        BackingKeys:
          - 5cdaead27fe7da2de47945d73cd6d79e36494e73802f3cd3869f1d2cb0b5d7a9
      - Metadata:
          KeyId: ${ROTATED_ID}
          Description: rotated once
          Tags: { team: payments }
          Policy:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: { KMS: ci }
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]
                Resource: "*"
        BackingKeys:
          - 34743777217A25432A46294A404E635266556A586E3272357538782F413F4428
          - 614E645267556B58703273357638792F423F4528472B4B6250655368566D5971
    Hmac:
      - Metadata:
          KeyId: ${HMAC_ID}
          KeyUsage: GENERATE_VERIFY_MAC
          KeySpec: HMAC_256
        BackingKeys:
          - ${HMAC_HEX}
Aliases:
  - AliasName: alias/dev
    TargetKeyId: ${ROTATED_ID}
Principals:
  - Name: ci
    Token: ${CI_TOKEN}
    AccessKeyId: AKIASEEDEDCI00000001
    SecretAccessKey: seeded-ci-secret-access-key-000000
`;

function seedFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "kms-seed-")), "seed.yaml");
  writeFileSync(file, text);
  return file;
}

const rootKey = () => randomBytes(32).toString("base64");
let a: ServerProcess;
let b: ServerProcess;
const aRoot = rootKey();
const aSeed = seedFile(LOCAL_KMS_EXAMPLE);
let blobFromA: Uint8Array;

beforeAll(async () => {
  [a, b] = await Promise.all([
    startServer({ env: { KMS_SEED_FILE: aSeed, KMS_ROOT_KEY: aRoot } }),
    startServer({ env: { KMS_SEED_FILE: seedFile(SUPERSET), KMS_ROOT_KEY: rootKey() } }),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe("seeding from local-kms's seed.yaml", () => {
  it("creates its keys with their ids, imported origin and alias", async () => {
    const aws = awsClient(a.url, TEST_ADMIN);
    const aes = await aws.send(new DescribeKeyCommand({ KeyId: "alias/testing" }));
    expect(aes.KeyMetadata).toMatchObject({ KeyId: AES_ID, Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT" });
    const ecc = await aws.send(new DescribeKeyCommand({ KeyId: ECC_ID }));
    expect(ecc.KeyMetadata).toMatchObject({
      KeySpec: "ECC_NIST_P256",
      KeyUsage: "SIGN_VERIFY",
      Description: "ECC key with curve secp256r1",
    });
    const enc = await aws.send(new EncryptCommand({ KeyId: "alias/testing", Plaintext: Buffer.from("stable") }));
    blobFromA = enc.CiphertextBlob!;
    aws.destroy();
  });

  it("signs with exactly the seeded EC private key (checked with its public key by node:crypto)", async () => {
    const aws = awsClient(a.url, TEST_ADMIN);
    const message = Buffer.from("seeded signature");
    const sig = await aws.send(
      new SignCommand({ KeyId: ECC_ID, Message: message, MessageType: "RAW", SigningAlgorithm: "ECDSA_SHA_256" }),
    );
    aws.destroy();
    const pem = /PrivateKeyPem: \|\n([\s\S]*?-----END EC PRIVATE KEY-----)/.exec(LOCAL_KMS_EXAMPLE)![1]!;
    const publicKey = createPublicKey(createPrivateKey(pem.replace(/^ +/gm, "")));
    expect(nodeVerify("sha256", message, publicKey, Buffer.from(sig.Signature!))).toBe(true);
  });

  it("is idempotent and keeps ciphertexts across a restart", async () => {
    const dataDir = a.dataDir;
    await a.stop();
    a = await startServer({ dataDir, env: { KMS_SEED_FILE: aSeed, KMS_ROOT_KEY: aRoot } });
    const applied = a.logs.find((l) => l.msg === "seed file applied");
    expect(applied).toMatchObject({ createdKeys: [], existingKeys: 2, createdAliases: [] });
    const aws = awsClient(a.url, TEST_ADMIN);
    const dec = await aws.send(new DecryptCommand({ CiphertextBlob: blobFromA }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe("stable");
    aws.destroy();
  });
});

describe("our superset on another machine", () => {
  it("opens a ciphertext made on server A: same material, same key and version ids", async () => {
    const aws = awsClient(b.url, TEST_ADMIN);
    const dec = await aws.send(new DecryptCommand({ CiphertextBlob: blobFromA }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe("stable");
    expect(dec.KeyId).toContain(AES_ID);
    aws.destroy();
  });

  it("seeds a rotated key (last backing key primary), tags, an HMAC key and a principal with its policy", async () => {
    const admin = grpcClients(b.url);
    const ci = grpcClients(b.url, CI_TOKEN);
    try {
      const { key } = await admin.keys.DescribeKey({ keyId: "alias/dev" });
      expect(key).toMatchObject({
        keyId: ROTATED_ID,
        tags: { team: "payments" },
        initialKeyVersionId: seededVersionId(ROTATED_ID, 0),
        primaryKeyVersionId: seededVersionId(ROTATED_ID, 1),
      });
      const versions = await admin.keys.ListKeyVersions({ keyId: ROTATED_ID });
      expect(versions.keyVersions.map((v) => v.keyVersionId)).toEqual(
        [0, 1].map((i) => seededVersionId(ROTATED_ID, i)),
      );

      const message = Buffer.from("mac me");
      const mac = await admin.crypto.GenerateMac({ keyId: HMAC_ID, message });
      expect(mac.mac).toEqual(createHmac("sha256", Buffer.from(HMAC_HEX, "hex")).update(message).digest());

      const enc = await ci.crypto.AdvanceEncrypt({ keyId: "alias/dev", plaintext: Buffer.from("ci data") });
      expect(enc.keyVersionId).toBe(seededVersionId(ROTATED_ID, 1));
      expect((await ci.crypto.Decrypt({ ciphertextBlob: enc.ciphertextBlob })).plaintext.toString()).toBe("ci data");
      await expectGrpcError(
        ci.crypto.AdvanceEncrypt({ keyId: AES_ID, plaintext: Buffer.from("x") }),
        status.PERMISSION_DENIED,
        "AccessDeniedException",
      );
    } finally {
      admin.close();
      ci.close();
    }
  });

  it("refuses to start on a seed file it cannot honour, naming the place", async () => {
    const bad = seedFile(
      LOCAL_KMS_EXAMPLE.replace("KeyUsage: SIGN_VERIFY", "KeyUsage: SIGN_VERIFY\n          Colour: red"),
    );
    const failed = await startServer({ env: { KMS_SEED_FILE: bad } }).then(
      (s) => s.stop().then(() => ""),
      (err: Error) => err.message,
    );
    expect(failed).toContain("Keys.Asymmetric.Ecc[0].Metadata: unknown member 'Colour'");
  });
});
