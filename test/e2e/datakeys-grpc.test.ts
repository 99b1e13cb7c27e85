import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import { status } from "@grpc/grpc-js";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callWithHeaders,
  expectGrpcError,
  type GrpcClients,
  grpcClients,
  type WireKeyMetadata,
  type WireRequest,
} from "../helpers/grpc-client.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * The six DataKeyService RPCs through the real server (`npm start`) and an independent grpc-js
 * peer. Every returned key is checked with node:crypto alone: the public key parses as SPKI, the
 * private key (plaintext, and the one recovered from the ciphertext through CryptoService)
 * parses as PKCS#8 and signs something the public key verifies.
 */

const PAIR_RPCS = [
  "GenerateDataKeyPair",
  "GenerateDataKeyPairWithoutPlaintext",
  "AdvanceGenerateDataKeyPair",
  "AdvanceGenerateDataKeyPairWithoutPlaintext",
] as const;
type PairRpc = (typeof PAIR_RPCS)[number];
const SPECS = ["RSA_2048", "RSA_3072", "EC_P256", "EC_P256K", "EC_P384", "EC_P521", "ED25519"] as const;
/** The curve node:crypto reports for each EC pair spec. */
const CURVES: Record<string, string> = {
  EC_P256: "prime256v1",
  EC_P256K: "secp256k1",
  EC_P384: "secp384r1",
  EC_P521: "secp521r1",
};
type Spec = (typeof SPECS)[number] | "RSA_4096";
const FORMATS = ["PEM", "DER"] as const;
type Format = (typeof FORMATS)[number];

interface PairResponse {
  keyId: string;
  keyVersionId: string;
  keyPairSpec: string;
  publicKey: Buffer;
  privateKeyPlaintext: Buffer;
  privateKeyCiphertextBlob: Buffer;
  iv: Buffer;
  algorithm: string;
  requestId: string;
}

let server: ServerProcess;
let c: GrpcClients;
/** The wrapping key, rotated once so that its initial and primary versions differ. */
let key: WireKeyMetadata;
let aliasName: string;

const isAdvance = (rpc: PairRpc) => rpc.startsWith("Advance");
const withPlaintext = (rpc: PairRpc) => !rpc.endsWith("WithoutPlaintext");

/** A unary call that must succeed; returns the response and the `x-request-id` response header. */
async function ok<Res>(
  client: grpc.Client,
  method: string,
  req: WireRequest,
  metadata?: grpc.Metadata,
): Promise<{ res: Res; requestId: string | undefined }> {
  const out = await callWithHeaders<Res>(client, method, req, metadata);
  if (out.error) throw out.error;
  const header = out.headers?.get("x-request-id")[0];
  return { res: out.response as Res, requestId: typeof header === "string" ? header : undefined };
}

function parsePublic(bytes: Buffer, format: Format): KeyObject {
  if (format === "PEM") {
    const text = bytes.toString("utf8");
    expect(text.startsWith("-----BEGIN PUBLIC KEY-----\n")).toBe(true);
    expect(text.trimEnd().endsWith("-----END PUBLIC KEY-----")).toBe(true);
    return createPublicKey({ key: text, format: "pem", type: "spki" });
  }
  expect(bytes[0]).toBe(0x30);
  return createPublicKey({ key: bytes, format: "der", type: "spki" });
}

function parsePrivate(bytes: Buffer, format: Format): KeyObject {
  if (format === "PEM") {
    const text = bytes.toString("utf8");
    expect(text.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    return createPrivateKey({ key: text, format: "pem", type: "pkcs8" });
  }
  expect(bytes[0]).toBe(0x30);
  return createPrivateKey({ key: bytes, format: "der", type: "pkcs8" });
}

/** The kind of key node:crypto sees, which must match the spec that was asked for. */
function expectSpec(k: KeyObject, spec: Spec): void {
  if (spec.startsWith("RSA_")) {
    expect(k.asymmetricKeyType).toBe("rsa");
    expect(k.asymmetricKeyDetails?.modulusLength).toBe(Number(spec.slice(4)));
    expect(k.asymmetricKeyDetails?.publicExponent).toBe(65537n);
  } else if (spec === "ED25519") {
    expect(k.asymmetricKeyType).toBe("ed25519");
  } else {
    expect(k.asymmetricKeyType).toBe("ec");
    expect(k.asymmetricKeyDetails?.namedCurve).toBe(CURVES[spec]);
  }
}

/**
 * Signs a fresh message with the private key and verifies it with the public key, both in
 * node:crypto (Ed25519 hashes inside the scheme: digest `null`); an EC pair on a NIST curve also
 * agrees (ECDH) on the same secret with a locally made pair, both ways.
 */
function expectSignsForPublic(priv: KeyObject, pub: KeyObject): void {
  const digest = priv.asymmetricKeyType === "ed25519" ? null : "sha256";
  const message = randomBytes(64);
  const signature = nodeSign(digest, message, priv);
  expect(nodeVerify(digest, message, pub, signature)).toBe(true);
  const other = Buffer.from(message);
  other[0] = other[0]! ^ 1;
  expect(nodeVerify(digest, other, pub, signature)).toBe(false);
  const namedCurve = priv.asymmetricKeyDetails?.namedCurve;
  if (namedCurve === "secp384r1" || namedCurve === "secp521r1") {
    const local = generateKeyPairSync("ec", { namedCurve });
    const ours = diffieHellman({ privateKey: priv, publicKey: local.publicKey });
    expect(ours.equals(diffieHellman({ privateKey: local.privateKey, publicKey: pub }))).toBe(true);
  }
  // The private key's own public half is exactly the returned public key.
  expect(
    createPublicKey(priv)
      .export({ type: "spki", format: "der" })
      .equals(pub.export({ type: "spki", format: "der" })),
  ).toBe(true);
}

/** Opens a wrapped private key the way the contract says for its RPC. */
async function unwrap(rpc: PairRpc, res: PairResponse, aad: Buffer, context: Record<string, string>) {
  if (isAdvance(rpc)) {
    return c.crypto.AdvanceDecrypt({ ciphertextBlob: res.privateKeyCiphertextBlob, aad, encryptionContext: context });
  }
  return c.crypto.Decrypt({
    ciphertextBlob: res.privateKeyCiphertextBlob,
    keyId: res.keyId,
    iv: res.iv,
    algorithm: res.algorithm,
    aad,
    encryptionContext: context,
  });
}

async function checkPair(rpc: PairRpc, spec: Spec, format: Format): Promise<void> {
  const aad = randomBytes(40);
  const context = { purpose: `${rpc}/${spec}/${format}`, ünï: "" };
  const { res, requestId } = await ok<PairResponse>(c.raw.dataKeys, rpc, {
    keyId: aliasName,
    keyPairSpec: `KEY_PAIR_SPEC_${spec}`,
    keyFormat: `KEY_FORMAT_${format}`,
    aad,
    encryptionContext: context,
  });

  expect(res.keyId).toBe(key.keyId);
  expect(res.keyVersionId).toBe(isAdvance(rpc) ? key.primaryKeyVersionId : key.initialKeyVersionId);
  expect(res.keyPairSpec).toBe(`KEY_PAIR_SPEC_${spec}`);
  expect(res.algorithm).toBe("AES_GCM");
  expect(res.iv.length).toBe(12);
  expect(res.requestId.length).toBeGreaterThan(0);
  expect(res.requestId).toBe(requestId);

  const pub = parsePublic(res.publicKey, format);
  expectSpec(pub, spec);

  const opened = await unwrap(rpc, res, aad, context);
  expect(opened.keyId).toBe(key.keyId);
  expect(opened.keyVersionId).toBe(res.keyVersionId);
  const fromCiphertext = parsePrivate(opened.plaintext, format);
  expectSpec(fromCiphertext, spec);
  expectSignsForPublic(fromCiphertext, pub);

  if (withPlaintext(rpc)) {
    expect(opened.plaintext.equals(res.privateKeyPlaintext)).toBe(true);
    expectSignsForPublic(parsePrivate(res.privateKeyPlaintext, format), pub);
  } else {
    // The WithoutPlaintext responses have no such field at all.
    expect(res.privateKeyPlaintext).toBeUndefined();
  }

  if (isAdvance(rpc)) {
    // The blob names its key and version; the iv beside it is the one inside the blob.
    expect(res.privateKeyCiphertextBlob.includes(Buffer.from(key.keyId))).toBe(true);
    expect(res.privateKeyCiphertextBlob.includes(res.iv)).toBe(true);
  } else {
    // Raw form: salt(32) ‖ ct ‖ tag(16), nothing else.
    expect(res.privateKeyCiphertextBlob.length).toBe(32 + opened.plaintext.length + 16);
  }

  const wrongAad = Buffer.concat([aad, Buffer.of(0)]);
  await expectGrpcError(unwrap(rpc, res, wrongAad, context), status.INVALID_ARGUMENT, "InvalidCiphertextException");
  await expectGrpcError(
    unwrap(rpc, res, aad, { ...context, purpose: "other" }),
    status.INVALID_ARGUMENT,
    "InvalidCiphertextException",
  );
}

async function createKey(req: WireRequest): Promise<WireKeyMetadata> {
  return (await c.keys.CreateKey(req)).key;
}

beforeAll(async () => {
  server = await startServer({ env: { KMS_WORKERS: "2", KMS_KEYPAIR_CONCURRENCY: "8" } });
  c = grpcClients(server.url);
  const created = await createKey({ keySpec: "KEY_SPEC_AES_256", description: "data keys e2e" });
  aliasName = `alias/datakeys-${created.keyId.slice(0, 8)}`;
  await c.keys.CreateAlias({ aliasName, keyId: created.keyId });
  key = (await c.keys.RotateKey({ keyId: created.keyId })).key;
  expect(key.initialKeyVersionId).toBe(created.initialKeyVersionId);
  expect(key.primaryKeyVersionId).not.toBe(key.initialKeyVersionId);
});

afterAll(async () => {
  c?.close();
  await server?.stop();
});

// Concurrent: the server's two workers generate pairs side by side (permits: 8, so none is refused).
describe.concurrent.each(PAIR_RPCS)("%s", (rpc) => {
  for (const spec of SPECS) {
    it.each(FORMATS)(`${spec} %s: keys parse, sign/verify, decrypt to the same private key`, async (format) => {
      await checkPair(rpc, spec, format);
    });
  }
});

describe("RSA_4096 (once: it costs about a second)", () => {
  it("GenerateDataKeyPair PEM", async () => {
    await checkPair("GenerateDataKeyPair", "RSA_4096", "PEM");
  });
});

describe("pair RPCs: request id and refusals", () => {
  let hmac: WireKeyMetadata;
  let ecSign: WireKeyMetadata;
  let disabled: WireKeyMetadata;
  beforeAll(async () => {
    hmac = await createKey({ keySpec: "KEY_SPEC_HMAC_256", keyUsage: "KEY_USAGE_GENERATE_VERIFY_MAC" });
    ecSign = await createKey({ keySpec: "KEY_SPEC_EC_P256", keyUsage: "KEY_USAGE_SIGN_VERIFY" });
    disabled = await createKey({ keySpec: "KEY_SPEC_AES_256" });
    await c.keys.DisableKey({ keyId: disabled.keyId });
  });
  it("echo a caller's well-formed x-request-id in the body and the header", async () => {
    const md = new grpc.Metadata();
    md.set("x-request-id", "dk-e2e-req-1");
    const { res, requestId } = await ok<PairResponse>(
      c.raw.dataKeys,
      "AdvanceGenerateDataKeyPairWithoutPlaintext",
      { keyId: key.keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256", keyFormat: "KEY_FORMAT_DER" },
      md,
    );
    expect(res.requestId).toBe("dk-e2e-req-1");
    expect(requestId).toBe("dk-e2e-req-1");
  });

  it("give each call its own request id", async () => {
    const req = { keyId: key.keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256" };
    const a = await c.dataKeys.GenerateDataKeyPairWithoutPlaintext(req);
    const b = await c.dataKeys.GenerateDataKeyPairWithoutPlaintext(req);
    expect(a.requestId).not.toBe(b.requestId);
  });

  it("an unspecified key_format is PEM", async () => {
    const res = await c.dataKeys.GenerateDataKeyPair({ keyId: key.keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256" });
    expect(res.publicKey.toString("utf8").startsWith("-----BEGIN PUBLIC KEY-----")).toBe(true);
    expect(res.privateKeyPlaintext.toString("utf8").startsWith("-----BEGIN PRIVATE KEY-----")).toBe(true);
  });

  it.each(PAIR_RPCS)("%s: unspecified key_pair_spec is INVALID_ARGUMENT ValidationException", async (rpc) => {
    await expectGrpcError(c.dataKeys[rpc]({ keyId: key.keyId }), status.INVALID_ARGUMENT, "ValidationException");
  });

  it.each(PAIR_RPCS)("%s: HMAC and EC signing keys are InvalidKeyUsage; a disabled key is Disabled", async (rpc) => {
    const req = (keyId: string) => ({ keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256", keyFormat: "KEY_FORMAT_DER" });
    await expectGrpcError(c.dataKeys[rpc](req(hmac.keyId)), status.FAILED_PRECONDITION, "InvalidKeyUsageException");
    await expectGrpcError(c.dataKeys[rpc](req(ecSign.keyId)), status.FAILED_PRECONDITION, "InvalidKeyUsageException");
    await expectGrpcError(c.dataKeys[rpc](req(disabled.keyId)), status.FAILED_PRECONDITION, "DisabledException");
    await expectGrpcError(c.dataKeys[rpc](req(randomUUID())), status.NOT_FOUND, "NotFoundException");
  });
});

const DATA_KEY_RPCS = ["GenerateDataKey", "GenerateDataKeyWithoutPlaintext"] as const;

describe.each(DATA_KEY_RPCS)("%s", (rpc) => {
  const plain = rpc === "GenerateDataKey";

  it.each([
    ["key_spec AES_256", { keySpec: "DATA_KEY_SPEC_AES_256" }, 32],
    ["key_spec AES_128", { keySpec: "DATA_KEY_SPEC_AES_128" }, 16],
    ["number_of_bytes 1", { numberOfBytes: 1 }, 1],
    ["number_of_bytes 1024", { numberOfBytes: 1024 }, 1024],
  ] as const)("%s: a data key of the right size that Decrypt and AdvanceDecrypt recover", async (_, size, bytes) => {
    const aad = randomBytes(17);
    const encryptionContext = { tenant: "t-1", empty: "" };
    const { res, requestId } = await ok<{
      keyId: string;
      keyVersionId: string;
      plaintext: Buffer;
      ciphertextBlob: Buffer;
    }>(c.raw.dataKeys, rpc, { keyId: aliasName, ...size, aad, encryptionContext });
    expect(requestId?.length).toBeGreaterThan(0);
    expect(res.keyId).toBe(key.keyId);
    expect(res.keyVersionId).toBe(key.primaryKeyVersionId);
    if (plain) expect(res.plaintext.length).toBe(bytes);
    else expect(res.plaintext).toBeUndefined();

    const viaDecrypt = await c.crypto.Decrypt({ ciphertextBlob: res.ciphertextBlob, aad, encryptionContext });
    const viaNamedDecrypt = await c.crypto.Decrypt({
      ciphertextBlob: res.ciphertextBlob,
      keyId: aliasName,
      aad,
      encryptionContext,
    });
    const viaAdvance = await c.crypto.AdvanceDecrypt({ ciphertextBlob: res.ciphertextBlob, aad, encryptionContext });
    for (const opened of [viaDecrypt, viaNamedDecrypt, viaAdvance]) {
      expect(opened.keyId).toBe(key.keyId);
      expect(opened.keyVersionId).toBe(key.primaryKeyVersionId);
      expect(opened.plaintext.length).toBe(bytes);
    }
    expect(viaDecrypt.plaintext.equals(viaAdvance.plaintext)).toBe(true);
    expect(viaDecrypt.plaintext.equals(viaNamedDecrypt.plaintext)).toBe(true);
    if (plain) expect(viaDecrypt.plaintext.equals(res.plaintext)).toBe(true);

    await expectGrpcError(
      c.crypto.AdvanceDecrypt({
        ciphertextBlob: res.ciphertextBlob,
        aad: Buffer.concat([aad, aad]),
        encryptionContext,
      }),
      status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
    await expectGrpcError(
      c.crypto.Decrypt({ ciphertextBlob: res.ciphertextBlob, aad, encryptionContext: { tenant: "t-2", empty: "" } }),
      status.INVALID_ARGUMENT,
      "InvalidCiphertextException",
    );
  });

  it.each([
    ["number_of_bytes 0", { numberOfBytes: 0 }],
    ["number_of_bytes 1025", { numberOfBytes: 1025 }],
    ["both key_spec and number_of_bytes", { keySpec: "DATA_KEY_SPEC_AES_256", numberOfBytes: 32 }],
    ["neither", {}],
  ] as const)("%s is INVALID_ARGUMENT ValidationException", async (_, size) => {
    await expectGrpcError(
      c.dataKeys[rpc]({ keyId: key.keyId, ...size }),
      status.INVALID_ARGUMENT,
      "ValidationException",
    );
  });

  it("two data keys differ", async () => {
    const a = await c.crypto.AdvanceDecrypt({
      ciphertextBlob: (await c.dataKeys[rpc]({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" })).ciphertextBlob,
    });
    const b = await c.crypto.AdvanceDecrypt({
      ciphertextBlob: (await c.dataKeys[rpc]({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" })).ciphertextBlob,
    });
    expect(a.plaintext.length).toBe(32);
    expect(a.plaintext.equals(b.plaintext)).toBe(false);
  });
});

describe("initial vs primary across RotateKey", () => {
  it("non-Advance pairs and Encrypt stay on the initial version; the rest follow the primary; all decrypt", async () => {
    const fresh = await createKey({ keySpec: "KEY_SPEC_AES_256" });
    const initial = fresh.initialKeyVersionId;
    const aad = Buffer.from("rotation");
    const encryptionContext = { phase: "rotation" };
    const bind = { aad, encryptionContext };
    const pairReq = { keyId: fresh.keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256", keyFormat: "KEY_FORMAT_DER", ...bind };
    const plaintext = Buffer.from("rotation survives");

    const produce = async () => ({
      pair: await c.dataKeys.GenerateDataKeyPair(pairReq),
      pairNoPlain: await c.dataKeys.GenerateDataKeyPairWithoutPlaintext(pairReq),
      advPair: await c.dataKeys.AdvanceGenerateDataKeyPair(pairReq),
      advPairNoPlain: await c.dataKeys.AdvanceGenerateDataKeyPairWithoutPlaintext(pairReq),
      dataKey: await c.dataKeys.GenerateDataKey({ keyId: fresh.keyId, keySpec: "DATA_KEY_SPEC_AES_256", ...bind }),
      encrypted: await c.crypto.Encrypt({ keyId: fresh.keyId, plaintext, ...bind }),
      advEncrypted: await c.crypto.AdvanceEncrypt({ keyId: fresh.keyId, plaintext, ...bind }),
    });
    type Produced = Awaited<ReturnType<typeof produce>>;

    const expectVersions = (p: Produced, primary: string) => {
      expect(p.pair.keyVersionId).toBe(initial);
      expect(p.pairNoPlain.keyVersionId).toBe(initial);
      expect(p.encrypted.keyVersionId).toBe(initial);
      expect(p.advPair.keyVersionId).toBe(primary);
      expect(p.advPairNoPlain.keyVersionId).toBe(primary);
      expect(p.dataKey.keyVersionId).toBe(primary);
      expect(p.advEncrypted.keyVersionId).toBe(primary);
    };

    const expectAllDecrypt = async (p: Produced) => {
      const raw = (blob: Buffer, iv: Buffer) =>
        c.crypto.Decrypt({ ciphertextBlob: blob, keyId: fresh.keyId, iv, algorithm: "AES_GCM", ...bind });
      const blob = (b: Buffer) => c.crypto.AdvanceDecrypt({ ciphertextBlob: b, ...bind });
      const pairPlain = await raw(p.pair.privateKeyCiphertextBlob, p.pair.iv);
      expect(pairPlain.plaintext.equals(p.pair.privateKeyPlaintext)).toBe(true);
      expect(pairPlain.keyVersionId).toBe(initial);
      createPrivateKey({
        key: (await raw(p.pairNoPlain.privateKeyCiphertextBlob, p.pairNoPlain.iv)).plaintext,
        format: "der",
        type: "pkcs8",
      });
      const advPlain = await blob(p.advPair.privateKeyCiphertextBlob);
      expect(advPlain.plaintext.equals(p.advPair.privateKeyPlaintext)).toBe(true);
      expect(advPlain.keyVersionId).toBe(p.advPair.keyVersionId);
      createPrivateKey({
        key: (await blob(p.advPairNoPlain.privateKeyCiphertextBlob)).plaintext,
        format: "der",
        type: "pkcs8",
      });
      const dk = await blob(p.dataKey.ciphertextBlob);
      expect(dk.plaintext.equals(p.dataKey.plaintext)).toBe(true);
      expect(dk.keyVersionId).toBe(p.dataKey.keyVersionId);
      expect((await raw(p.encrypted.ciphertextBlob, p.encrypted.iv)).plaintext.equals(plaintext)).toBe(true);
      const adv = await blob(p.advEncrypted.ciphertextBlob);
      expect(adv.plaintext.equals(plaintext)).toBe(true);
      expect(adv.keyVersionId).toBe(p.advEncrypted.keyVersionId);
    };

    const before = await produce();
    expectVersions(before, initial);

    const rotated = await c.keys.RotateKey({ keyId: fresh.keyId });
    const second = rotated.keyVersionId;
    expect(second).not.toBe(initial);
    expect(rotated.key.primaryKeyVersionId).toBe(second);
    expect(rotated.key.initialKeyVersionId).toBe(initial);

    const after = await produce();
    expectVersions(after, second);

    const third = (await c.keys.RotateKey({ keyId: fresh.keyId })).keyVersionId;
    expect(third).not.toBe(second);
    await expectAllDecrypt(before);
    await expectAllDecrypt(after);
  });
});
