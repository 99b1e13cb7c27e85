import { createPublicKey, createVerify, diffieHellman, generateKeyPairSync, randomBytes } from "node:crypto";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CryptoService } from "../../gen/kms/v1/crypto_service_pb.js";
import { DataKeyService } from "../../gen/kms/v1/data_key_service_pb.js";
import { KeyService } from "../../gen/kms/v1/key_service_pb.js";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import {
  DataKeySpec,
  KeyFormat,
  KeyOrigin,
  KeyPairSpec,
  KeySpec,
  KeyState,
  KeyUsage,
  KeyVersionState,
  MessageType,
  WrappingAlgorithm,
  WrappingKeySpec,
} from "../../gen/kms/v1/types_pb.js";
import { create } from "@bufbuild/protobuf";
import { createBrowserKmsClient } from "../../src/client/browser.js";
import {
  backoffDelayMs,
  createKmsClient,
  isRetryable,
  type KmsClient,
  KmsClientError,
  retryInterceptor,
} from "../../src/client/index.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";
import { wrapForImport } from "../helpers/import-wrap.js";
import { kem, runtimeHasPostQuantum } from "../helpers/post-quantum.js";

/** ML-KEM (Encapsulate/Decapsulate) needs Node.js >= 24.7; on older runtimes they are refused instead. */
const PQ = runtimeHasPostQuantum();
const POST_QUANTUM_RPCS = ["kms.v1.CryptoService/Encapsulate", "kms.v1.CryptoService/Decapsulate"];

/**
 * The typed client (`src/client/`) against the real server: every RPC of the three services,
 * most over Connect (binary, HTTP/2), some over gRPC and some through the browser factory
 * (connect-web on Node's fetch, Connect JSON over HTTP/1.1); errors as `KmsClientError` with
 * the service's `reason`; and the retry policy — throttled pair requests are retried until they
 * succeed, a failed decrypt is never repeated.
 */

let server: ServerProcess;
/** Every method that completed successfully, as `Service/Method`, to check that none is missed. */
const succeeded = new Set<string>();
const record: Interceptor = (next) => async (req) => {
  const res = await next(req);
  succeeded.add(`${req.service.typeName}/${req.method.name}`);
  return res;
};

let connect: KmsClient;
let grpc: KmsClient;
let browser: KmsClient;

beforeAll(async () => {
  server = await startServer();
  const common = { baseUrl: server.url, token: TEST_ADMIN.token, interceptors: [record] };
  connect = createKmsClient(common);
  grpc = createKmsClient({ ...common, protocol: "grpc" });
  browser = createBrowserKmsClient(common);
});

afterAll(async () => {
  await server?.stop();
});

/** The call's rejection, which must already be a KmsClientError (no conversion by the caller). */
async function failure(p: Promise<unknown>): Promise<KmsClientError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(KmsClientError);
    return err as KmsClientError;
  }
  throw new Error("the call succeeded");
}

describe("KeyService", () => {
  it("create, describe, list, update description, tags", async () => {
    const { key } = await connect.keys.createKey({ description: "first", tags: { team: "core" } });
    expect(key?.keySpec).toBe(KeySpec.AES_256);
    expect(key?.keyUsage).toBe(KeyUsage.ENCRYPT_DECRYPT);
    expect(key?.keyState).toBe(KeyState.ENABLED);
    const keyId = key!.keyId;

    const described = await grpc.keys.describeKey({ keyId });
    expect(described.key?.description).toBe("first");
    expect(described.key?.tags).toEqual({ team: "core" });

    const listed = await browser.keys.listKeys({ pageSize: 1000 });
    expect(listed.keys.map((k) => k.keyId)).toContain(keyId);

    const updated = await connect.keys.updateKeyDescription({ keyId, description: "second" });
    expect(updated.key?.description).toBe("second");

    const tagged = await connect.keys.tagKey({ keyId, tags: { env: "test" } });
    expect(tagged.key?.tags).toEqual({ team: "core", env: "test" });
    const untagged = await connect.keys.untagKey({ keyId, tagKeys: ["team"] });
    expect(untagged.key?.tags).toEqual({ env: "test" });
  });

  it("disable, enable, schedule and cancel deletion", async () => {
    const keyId = (await connect.keys.createKey({})).key!.keyId;
    expect((await connect.keys.disableKey({ keyId })).key?.keyState).toBe(KeyState.DISABLED);
    expect((await grpc.keys.enableKey({ keyId })).key?.keyState).toBe(KeyState.ENABLED);
    const scheduled = await connect.keys.scheduleKeyDeletion({ keyId, pendingWindowDays: 7 });
    expect(scheduled.key?.keyState).toBe(KeyState.PENDING_DELETION);
    expect(scheduled.key?.deletionTime).toBeDefined();
    const cancelled = await connect.keys.cancelKeyDeletion({ keyId });
    expect(cancelled.key?.keyState).toBe(KeyState.DISABLED);
    expect(cancelled.key?.deletionTime).toBeUndefined();
  });

  it("rotate, list versions, rotation policy", async () => {
    const { key } = await connect.keys.createKey({});
    const keyId = key!.keyId;
    const rotated = await connect.keys.rotateKey({ keyId });
    expect(rotated.keyVersionId).not.toBe(key!.primaryKeyVersionId);
    expect(rotated.key?.primaryKeyVersionId).toBe(rotated.keyVersionId);
    expect(rotated.key?.initialKeyVersionId).toBe(key!.initialKeyVersionId);
    const versions = await connect.keys.listKeyVersions({ keyId });
    expect(versions.keyVersions.map((v) => v.keyVersionId).sort()).toEqual(
      [key!.initialKeyVersionId, rotated.keyVersionId].sort(),
    );
    const policy = await connect.keys.updateRotationPolicy({ keyId, automaticRotation: true, rotationPeriodDays: 90 });
    expect(policy.key?.automaticRotation).toBe(true);
    expect(policy.key?.rotationPeriodDays).toBe(90);
    expect(policy.key?.nextRotationTime).toBeDefined();
  });

  it("retire versions: set the minimum decryption version, trim, list the states", async () => {
    const { key } = await connect.keys.createKey({});
    const keyId = key!.keyId;
    const second = (await connect.keys.rotateKey({ keyId })).keyVersionId;
    const third = (await grpc.keys.rotateKey({ keyId })).keyVersionId;
    const min = await grpc.keys.setMinDecryptionVersion({ keyId, keyVersionId: third });
    expect(min.key?.minDecryptionKeyVersionId).toBe(third);
    const trimmed = await browser.keys.trimKeyVersions({ keyId });
    expect(trimmed.trimmedKeyVersionIds).toEqual([second]);
    const versions = await connect.keys.listKeyVersions({ keyId });
    expect(versions.keyVersions.map((v) => v.state)).toEqual([
      KeyVersionState.RETIRED,
      KeyVersionState.TRIMMED,
      KeyVersionState.USABLE,
    ]);
  });

  it("aliases: create, update, list, delete", async () => {
    const a = (await connect.keys.createKey({})).key!.keyId;
    const b = (await connect.keys.createKey({})).key!.keyId;
    const aliasName = `alias/client-${randomBytes(4).toString("hex")}`;
    expect((await browser.keys.createAlias({ aliasName, keyId: a })).alias?.targetKeyId).toBe(a);
    expect((await connect.keys.updateAlias({ aliasName, keyId: b })).alias?.targetKeyId).toBe(b);
    const listed = await connect.keys.listAliases({ keyId: b });
    expect(listed.aliases.map((x) => x.aliasName)).toEqual([aliasName]);
    expect((await connect.keys.describeKey({ keyId: aliasName })).key?.keyId).toBe(b);
    await connect.keys.deleteAlias({ aliasName });
    expect((await failure(connect.keys.describeKey({ keyId: aliasName }))).reason).toBe("NotFoundException");
  });

  it("key policy: get, put", async () => {
    const keyId = (await connect.keys.createKey({})).key!.keyId;
    const got = await connect.keys.getKeyPolicy({ keyId });
    const policy = JSON.parse(got.policy) as { Statement: { Sid?: string }[] };
    expect(policy.Statement.length).toBeGreaterThan(0);
    policy.Statement[0]!.Sid = "renamed by the client test";
    expect((await connect.keys.putKeyPolicy({ keyId, policy: JSON.stringify(policy) })).keyId).toBe(keyId);
    expect(JSON.parse((await grpc.keys.getKeyPolicy({ keyId })).policy)).toEqual(policy);
  });

  it("grants: create, list, retire, revoke", async () => {
    const keyId = (await connect.keys.createKey({})).key!.keyId;
    const g1 = await connect.keys.createGrant({ keyId, granteePrincipal: "client-grantee", operations: ["Encrypt"] });
    const g2 = await connect.keys.createGrant({ keyId, granteePrincipal: "client-grantee", operations: ["Decrypt"] });
    expect(g1.grantToken).not.toBe("");
    const listed = await connect.keys.listGrants({ keyId });
    expect(listed.grants.map((g) => g.grantId).sort()).toEqual([g1.grantId, g2.grantId].sort());
    await connect.keys.retireGrant({ grantToken: g1.grantToken });
    await connect.keys.revokeGrant({ keyId, grantId: g2.grantId });
    expect((await connect.keys.listGrants({ keyId })).grants).toEqual([]);
  });

  it("imported key material: parameters, import, delete", async () => {
    const keyId = (await connect.keys.createKey({ origin: KeyOrigin.EXTERNAL })).key!.keyId;
    const params = await grpc.keys.getParametersForImport({
      keyId,
      wrappingAlgorithm: WrappingAlgorithm.RSAES_OAEP_SHA_256,
      wrappingKeySpec: WrappingKeySpec.RSA_2048,
    });
    const encryptedKeyMaterial = wrapForImport("RSAES_OAEP_SHA_256", params.publicKey, randomBytes(32));
    const imported = await connect.keys.importKeyMaterial({
      keyId,
      importToken: params.importToken,
      encryptedKeyMaterial,
    });
    expect(imported.key?.keyState).toBe(KeyState.ENABLED);
    expect((await browser.keys.deleteImportedKeyMaterial({ keyId })).key?.keyState).toBe(KeyState.PENDING_IMPORT);
  });
});

describe("DataKeyService", () => {
  let keyId: string;
  beforeAll(async () => {
    keyId = (await connect.keys.createKey({})).key!.keyId;
  });
  const context = { app: "client-test" };

  it("GenerateDataKey and WithoutPlaintext: the blob decrypts to the data key with the same context", async () => {
    const dk = await connect.dataKeys.generateDataKey({
      keyId,
      keySpec: DataKeySpec.AES_256,
      encryptionContext: context,
    });
    expect(dk.plaintext.length).toBe(32);
    const opened = await grpc.crypto.decrypt({ ciphertextBlob: dk.ciphertextBlob, encryptionContext: context });
    expect(Buffer.from(opened.plaintext).equals(Buffer.from(dk.plaintext))).toBe(true);
    const wo = await connect.dataKeys.generateDataKeyWithoutPlaintext({
      keyId,
      numberOfBytes: 24,
      encryptionContext: context,
    });
    const opened2 = await connect.crypto.advanceDecrypt({
      ciphertextBlob: wo.ciphertextBlob,
      encryptionContext: context,
    });
    expect(opened2.plaintext.length).toBe(24);
  });

  it("the four pair RPCs: the private key opens and matches the public key", async () => {
    const req = { keyId, keyPairSpec: KeyPairSpec.EC_P256, keyFormat: KeyFormat.DER };
    const pair = await connect.dataKeys.generateDataKeyPair(req);
    const raw = await connect.crypto.decrypt({
      keyId,
      ciphertextBlob: pair.privateKeyCiphertextBlob,
      iv: pair.iv,
      algorithm: pair.algorithm,
    });
    expect(Buffer.from(raw.plaintext).equals(Buffer.from(pair.privateKeyPlaintext))).toBe(true);
    const wo = await grpc.dataKeys.generateDataKeyPairWithoutPlaintext(req);
    expect(createPublicKey({ key: Buffer.from(wo.publicKey), format: "der", type: "spki" }).asymmetricKeyType).toBe(
      "ec",
    );
    const adv = await browser.dataKeys.advanceGenerateDataKeyPair(req);
    const advOpened = await connect.crypto.advanceDecrypt({ ciphertextBlob: adv.privateKeyCiphertextBlob });
    expect(Buffer.from(advOpened.plaintext).equals(Buffer.from(adv.privateKeyPlaintext))).toBe(true);
    const advWo = await connect.dataKeys.advanceGenerateDataKeyPairWithoutPlaintext(req);
    expect(advWo.privateKeyCiphertextBlob.length).toBeGreaterThan(0);
    expect(advWo.publicKey.length).toBeGreaterThan(0);
  });
});

describe("CryptoService", () => {
  it("Encrypt/Decrypt, AdvanceEncrypt/AdvanceDecrypt, ReEncrypt, GenerateRandom", async () => {
    const keyId = (await connect.keys.createKey({})).key!.keyId;
    const other = (await connect.keys.createKey({})).key!.keyId;
    const plaintext = Buffer.from("typed client");
    const enc = await grpc.crypto.encrypt({ keyId, plaintext, encryptionContext: { a: "1" } });
    const dec = await browser.crypto.decrypt({
      keyId,
      ciphertextBlob: enc.ciphertextBlob,
      iv: enc.iv,
      algorithm: enc.algorithm,
      encryptionContext: { a: "1" },
    });
    expect(Buffer.from(dec.plaintext).toString()).toBe("typed client");
    const adv = await connect.crypto.advanceEncrypt({ keyId, plaintext });
    const re = await connect.crypto.reEncrypt({ ciphertextBlob: adv.ciphertextBlob, destinationKeyId: other });
    expect(re.sourceKeyId).toBe(keyId);
    expect(re.keyId).toBe(other);
    const back = await connect.crypto.advanceDecrypt({ ciphertextBlob: re.ciphertextBlob });
    expect(back.keyId).toBe(other);
    expect(Buffer.from(back.plaintext).toString()).toBe("typed client");
    const random = await browser.crypto.generateRandom({ numberOfBytes: 48 });
    expect(random.plaintext.length).toBe(48);
  });

  it("Sign/Verify/GetPublicKey (the signature checks with node:crypto), GenerateMac/VerifyMac", async () => {
    const keyId = (await connect.keys.createKey({ keySpec: KeySpec.EC_P256, keyUsage: KeyUsage.SIGN_VERIFY })).key!
      .keyId;
    const message = Buffer.from("signed by the service");
    const { signature } = await connect.crypto.sign({ keyId, message, messageType: MessageType.RAW });
    const { publicKey } = await grpc.crypto.getPublicKey({ keyId });
    const spki = createPublicKey({ key: Buffer.from(publicKey), format: "der", type: "spki" });
    expect(createVerify("sha256").update(message).verify(spki, Buffer.from(signature))).toBe(true);
    expect((await connect.crypto.verify({ keyId, message, signature })).signatureValid).toBe(true);
    expect((await connect.crypto.verify({ keyId, message: Buffer.from("other"), signature })).signatureValid).toBe(
      false,
    );

    const macKey = (await connect.keys.createKey({ keySpec: KeySpec.HMAC_256 })).key!.keyId;
    const { mac } = await browser.crypto.generateMac({ keyId: macKey, message });
    expect(mac.length).toBe(32);
    expect((await connect.crypto.verifyMac({ keyId: macKey, message, mac })).macValid).toBe(true);
    const bad = Buffer.from(mac);
    bad[0]! ^= 1;
    expect((await connect.crypto.verifyMac({ keyId: macKey, message, mac: bad })).macValid).toBe(false);
  });

  it("DeriveSharedSecret: the raw ECDH secret equals crypto.diffieHellman's with GetPublicKey's key", async () => {
    const keyId = (await connect.keys.createKey({ keySpec: KeySpec.EC_P384, keyUsage: KeyUsage.KEY_AGREEMENT })).key!
      .keyId;
    const local = generateKeyPairSync("ec", { namedCurve: "secp384r1" });
    const out = await grpc.crypto.deriveSharedSecret({
      keyId,
      publicKey: local.publicKey.export({ type: "spki", format: "der" }),
    });
    const { publicKey } = await connect.crypto.getPublicKey({ keyId });
    const theirs = createPublicKey({ key: Buffer.from(publicKey), format: "der", type: "spki" });
    expect(
      Buffer.from(out.sharedSecret).equals(diffieHellman({ privateKey: local.privateKey, publicKey: theirs })),
    ).toBe(true);
  });

  it.runIf(PQ)(
    "Encapsulate/Decapsulate (ML-KEM) over gRPC, Connect-Web and Connect; node:crypto encapsulates to the SPKI",
    async () => {
      const keyId = (
        await connect.keys.createKey({ keySpec: KeySpec.ML_KEM_768, keyUsage: KeyUsage.ENCAPSULATE_DECAPSULATE })
      ).key!.keyId;
      const enc = await grpc.crypto.encapsulate({ keyId });
      expect(enc.sharedSecret.length).toBe(32);
      const dec = await browser.crypto.decapsulate({ keyId, sharedSecretCiphertext: enc.sharedSecretCiphertext });
      expect(Buffer.from(dec.sharedSecret).equals(Buffer.from(enc.sharedSecret))).toBe(true);
      const { publicKey } = await connect.crypto.getPublicKey({ keyId });
      const offline = kem.encapsulate!(createPublicKey({ key: Buffer.from(publicKey), format: "der", type: "spki" }));
      const fromOffline = await connect.crypto.decapsulate({ keyId, sharedSecretCiphertext: offline.ciphertext });
      expect(Buffer.from(fromOffline.sharedSecret).equals(offline.sharedKey)).toBe(true);
    },
  );

  it.skipIf(PQ)("Encapsulate/Decapsulate are refused with UnsupportedOperation on this runtime", async () => {
    const err = await failure(
      connect.keys.createKey({ keySpec: KeySpec.ML_KEM_768, keyUsage: KeyUsage.ENCAPSULATE_DECAPSULATE }),
    );
    expect(err.reason).toBe("UnsupportedOperationException");
  });
});

describe("batches", () => {
  it("BatchGenerateDataKey, BatchEncrypt, BatchDecrypt, BatchReEncrypt answer per item with references", async () => {
    const keyId = (await connect.keys.createKey({})).key!.keyId;
    const other = (await connect.keys.createKey({})).key!.keyId;
    const keys = await connect.dataKeys.batchGenerateDataKey({
      items: [
        { reference: "k1", request: { keyId, keySpec: DataKeySpec.AES_256 } },
        { reference: "k2", request: { keyId: "alias/client-missing", keySpec: DataKeySpec.AES_256 } },
      ],
    });
    expect(keys.results.map((r) => [r.reference, r.outcome.case])).toEqual([
      ["k1", "response"],
      ["k2", "error"],
    ]);
    const missing = keys.results[1]!.outcome;
    expect(missing.case === "error" && [missing.value.code, missing.value.reason]).toEqual([
      "not_found",
      "NotFoundException",
    ]);
    const enc = await grpc.crypto.batchEncrypt({
      advance: true,
      items: [{ reference: "e1", request: { keyId, plaintext: Buffer.from("batched") } }],
    });
    const sealed = enc.results[0]!.outcome;
    if (sealed.case !== "response") throw new Error("BatchEncrypt item failed");
    const re = await browser.crypto.batchReEncrypt({
      items: [{ reference: "r1", request: { ciphertextBlob: sealed.value.ciphertextBlob, destinationKeyId: other } }],
    });
    const moved = re.results[0]!.outcome;
    if (moved.case !== "response") throw new Error("BatchReEncrypt item failed");
    const dec = await connect.crypto.batchDecrypt({
      items: [{ reference: "d1", request: { ciphertextBlob: moved.value.ciphertextBlob } }],
    });
    const opened = dec.results[0]!.outcome;
    expect(opened.case === "response" && [opened.value.keyId, Buffer.from(opened.value.plaintext).toString()]).toEqual([
      other,
      "batched",
    ]);
  });
});

describe("errors are KmsClientError with the service's reason, over every transport", () => {
  it.each([
    ["connect", () => connect],
    ["grpc", () => grpc],
    ["browser", () => browser],
  ])("%s: unknown key → not_found / NotFoundException; garbage blob → InvalidCiphertextException", async (_n, c) => {
    const nf = await failure(c().keys.describeKey({ keyId: "alias/client-missing" }));
    expect(nf).toBeInstanceOf(KmsClientError);
    expect(nf.code).toBe(Code.NotFound);
    expect(nf.codeName).toBe("not_found");
    expect(nf.reason).toBe("NotFoundException");
    const bad = await failure(c().crypto.decrypt({ ciphertextBlob: randomBytes(80) }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.reason).toBe("InvalidCiphertextException");
  });

  it("a wrong token → unauthenticated / UnrecognizedClientException", async () => {
    const c = createKmsClient({ baseUrl: server.url, token: "kms_not-a-real-token" });
    const err = await failure(c.keys.listKeys({}));
    expect(err.code).toBe(Code.Unauthenticated);
    expect(err.reason).toBe("UnrecognizedClientException");
  });
});

it("every RPC of the three services was called successfully above", () => {
  const all = [KeyService, DataKeyService, CryptoService].flatMap((s) =>
    s.methods.map((m) => `${s.typeName}/${m.name}`),
  );
  expect(all.length).toBe(52);
  const expected = PQ ? all : all.filter((m) => !POST_QUANTUM_RPCS.includes(m));
  expect(expected.filter((m) => !succeeded.has(m))).toEqual([]);
});

describe("retries", () => {
  /** Counts the attempts that reach the wire (interceptors run inside the retry loop). */
  function counter(): { count: number; interceptor: Interceptor } {
    const c = {
      count: 0,
      interceptor: ((next) => async (req) => {
        c.count++;
        return next(req);
      }) as Interceptor,
    };
    return c;
  }

  describe("with one key-pair permit (KMS_KEYPAIR_CONCURRENCY=1)", () => {
    let throttled: ServerProcess;
    let keyId: string;
    beforeAll(async () => {
      throttled = await startServer({ env: { KMS_KEYPAIR_CONCURRENCY: "1", KMS_WORKERS: "1" } });
      const c = createKmsClient({ baseUrl: throttled.url, token: TEST_ADMIN.token });
      keyId = (await c.keys.createKey({})).key!.keyId;
      await c.dataKeys.generateDataKeyPair({ keyId, keyPairSpec: KeyPairSpec.EC_P256 });
    });
    afterAll(async () => {
      await throttled?.stop();
    });
    const specs = [KeyPairSpec.RSA_2048, KeyPairSpec.RSA_3072, KeyPairSpec.RSA_2048, KeyPairSpec.RSA_3072];

    it("without retries, at least one of 4 concurrent RSA pair requests is refused with Rejected.Throttling", async () => {
      const c = createKmsClient({ baseUrl: throttled.url, token: TEST_ADMIN.token, retry: false });
      const results = await Promise.allSettled(
        specs.map((keyPairSpec) => c.dataKeys.generateDataKeyPair({ keyId, keyPairSpec })),
      );
      const refused = results.filter((r) => r.status === "rejected").map((r) => r.reason as KmsClientError);
      expect(refused.length).toBeGreaterThan(0);
      for (const err of refused) {
        expect(err).toBeInstanceOf(KmsClientError);
        expect(err.code).toBe(Code.ResourceExhausted);
        expect(err.reason).toBe("Rejected.Throttling");
      }
    });

    it("with retries, all 4 succeed within the retry budget, after more than 4 attempts", async () => {
      const attempts = counter();
      const c = createKmsClient({
        baseUrl: throttled.url,
        token: TEST_ADMIN.token,
        retry: { maxAttempts: 40, baseDelayMs: 50, maxDelayMs: 1000 },
        interceptors: [attempts.interceptor],
      });
      const results = await Promise.all(
        specs.map((keyPairSpec) => c.dataKeys.generateDataKeyPair({ keyId, keyPairSpec, keyFormat: KeyFormat.DER })),
      );
      for (const r of results) {
        expect(createPublicKey({ key: Buffer.from(r.publicKey), format: "der", type: "spki" }).asymmetricKeyType).toBe(
          "rsa",
        );
      }
      expect(attempts.count).toBeGreaterThan(4);
    });
  });

  it("a failed decrypt (InvalidCiphertextException) is sent once", async () => {
    const attempts = counter();
    const c = createKmsClient({
      baseUrl: server.url,
      token: TEST_ADMIN.token,
      retry: { maxAttempts: 5, baseDelayMs: 1 },
      interceptors: [attempts.interceptor],
    });
    const err = await failure(c.crypto.decrypt({ ciphertextBlob: randomBytes(100) }));
    expect(err.reason).toBe("InvalidCiphertextException");
    expect(attempts.count).toBe(1);
  });

  it("an unreachable endpoint: a NO_SIDE_EFFECTS call is retried to the limit, GenerateDataKey is not", async () => {
    const attempts = counter();
    const c = createKmsClient({
      baseUrl: "http://127.0.0.1:1",
      token: TEST_ADMIN.token,
      retry: { maxAttempts: 3, baseDelayMs: 1 },
      interceptors: [attempts.interceptor],
    });
    expect((await failure(c.keys.listKeys({}))).code).toBe(Code.Unavailable);
    expect(attempts.count).toBe(3);
    attempts.count = 0;
    expect((await failure(c.dataKeys.generateDataKey({ keyId: "k", keySpec: DataKeySpec.AES_256 }))).code).toBe(
      Code.Unavailable,
    );
    expect(attempts.count).toBe(1);
  });

  describe("isRetryable and the backoff (unit)", () => {
    const throttling = () => {
      const e = new ConnectError("Concurrency Limit Exceeded.", Code.ResourceExhausted);
      e.details.push({ desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: "Rejected.Throttling" }) });
      return e;
    };
    const { IDEMPOTENCY_UNKNOWN, NO_SIDE_EFFECTS, IDEMPOTENT } = MethodOptions_IdempotencyLevel;

    it("retries throttling for any method, unavailable only without side effects, nothing else", () => {
      expect(isRetryable(throttling(), IDEMPOTENCY_UNKNOWN)).toBe(true);
      expect(isRetryable(new ConnectError("full", Code.ResourceExhausted), NO_SIDE_EFFECTS)).toBe(false);
      expect(isRetryable(new ConnectError("down", Code.Unavailable), NO_SIDE_EFFECTS)).toBe(true);
      expect(isRetryable(new ConnectError("down", Code.Unavailable), IDEMPOTENCY_UNKNOWN)).toBe(false);
      expect(isRetryable(new ConnectError("down", Code.Unavailable), IDEMPOTENT)).toBe(false);
      for (const code of [Code.InvalidArgument, Code.DeadlineExceeded, Code.Internal, Code.NotFound, Code.Unknown]) {
        expect(isRetryable(new ConnectError("x", code), NO_SIDE_EFFECTS)).toBe(false);
      }
    });

    it("full jitter: 0 ≤ delay < min(maxDelayMs, baseDelayMs·2^(attempt−1))", () => {
      const opts = { baseDelayMs: 50, maxDelayMs: 2000 };
      const top = 1 - Number.EPSILON;
      expect([1, 2, 3, 4, 5, 6, 7, 10].map((n) => backoffDelayMs(n, { ...opts, random: () => top }))).toEqual(
        [50, 100, 200, 400, 800, 1600, 2000, 2000].map((c) => c * top),
      );
      expect(backoffDelayMs(6, { ...opts, random: () => 0 })).toBe(0);
      expect(backoffDelayMs(3, { ...opts, random: () => 0.5 })).toBe(100);
      expect(backoffDelayMs(1)).toBeLessThan(50);
    });

    it("the interceptor waits backoffDelayMs between attempts and stops at maxAttempts", async () => {
      const draws: number[] = [];
      let calls = 0;
      const retry = retryInterceptor({
        maxAttempts: 4,
        baseDelayMs: 20,
        random: () => {
          draws.push(1);
          return 0.5;
        },
      });
      const started = Date.now();
      const next = retry(async () => {
        calls++;
        throw throttling();
      });
      const req = {
        stream: false,
        method: { idempotency: IDEMPOTENCY_UNKNOWN },
        signal: new AbortController().signal,
      } as unknown as Parameters<typeof next>[0];
      await expect(next(req)).rejects.toThrow("Concurrency Limit Exceeded.");
      expect(calls).toBe(4);
      expect(draws).toHaveLength(3);
      // 0.5·20 + 0.5·40 + 0.5·80 = 70 ms of backoff.
      expect(Date.now() - started).toBeGreaterThanOrEqual(65);
    });
  });
});
