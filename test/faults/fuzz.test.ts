import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CryptoService } from "../../gen/kms/v1/crypto_service_pb.js";
import { DataKeyService } from "../../gen/kms/v1/data_key_service_pb.js";
import { KeyService } from "../../gen/kms/v1/key_service_pb.js";
import { DataKeySpec } from "../../gen/kms/v1/types_pb.js";
import { type KmsClient, KmsClientError } from "../../src/client/index.js";
import { createKmsClient } from "../../src/client/node.js";
import { decryptEnvelope, encryptEnvelope } from "../../src/client/envelope.js";
import { LOG_FLUSH_MS } from "../../src/telemetry/log-destination.js";
import { RawH2 } from "../helpers/raw-h2.js";
import { Sha256 } from "../helpers/security.js";
import { ADMIN_AUTH, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";
import { type AwsSeed, awsOutcomeOf, judgeAws, makeAwsCase } from "./fuzz/aws-cases.js";
import {
  ALLOWED_CONNECT_CODES,
  choose,
  judge,
  makeCase,
  outcomeOf,
  PROTOCOLS,
  type Seed,
  seedCase,
  succeeded,
} from "./fuzz/cases.js";
import { int, mutateBytes, rng } from "./fuzz/mutate.js";

/**
 * A mutation fuzzer against one real server process: valid requests over every ciphertext form
 * (raw form with its iv, self-describing blob, the client's envelope) and every body encoding
 * (gRPC frames and gRPC-Web over raw HTTP/2, Connect binary, Connect JSON, AWS JSON 1.1) are
 * mutated — bytes flipped, cut, inserted and spliced; frames broken; JSON members replaced,
 * dropped, added or named `__proto__`; ciphertext bytes changed inside well-formed requests.
 *
 * Every answer must keep the contract: no 5xx and no undocumented code, no success for a changed
 * ciphertext and no wrong plaintext, no error line in the server's log, and the process alive at
 * the end. The seed is fixed, so a failing case is replayed by its number; `KMS_FUZZ_SEED` and
 * `KMS_FUZZ_CASES` run other or longer campaigns by hand.
 */

const SEED = Number(process.env.KMS_FUZZ_SEED ?? 0x6b6d7301);
const CASES = Number(process.env.KMS_FUZZ_CASES ?? 10_240);
const ENVELOPE_SHARE = 0.04;
const AWS_SHARE = 0.2;
const IN_FLIGHT = 64;

let server: ServerProcess;
let h2: RawH2;
let client: KmsClient;
let seeds: Seed[];
let awsSeeds: AwsSeed[];
let shm: string | undefined;
let envelope: { bytes: Uint8Array; plaintext: Buffer; context: Record<string, string> };

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

beforeAll(async () => {
  // The database on tmpfs where there is one: this campaign is about input, not durability, and
  // every authenticated call's audit record would otherwise wait for a disk flush.
  shm = existsSync("/dev/shm") ? mkdtempSync(join("/dev/shm", "kms-fuzz-")) : undefined;
  server = await startServer(shm ? { dataDir: shm } : {});
  h2 = new RawH2(server.url);
  client = createKmsClient({ baseUrl: server.url, token: TEST_ADMIN.token });
  const keyId = (await client.keys.createKey({})).key!.keyId;
  const tagged = (await client.keys.createKey({})).key!.keyId;
  const context = { tenant: "A", purpose: "fuzz" };
  const aad = Buffer.from("fuzz-aad");
  const [p1, p2, p3] = [randomBytes(40), randomBytes(100), randomBytes(16)];
  const raw = await client.crypto.encrypt({ keyId, plaintext: p1, aad, encryptionContext: context });
  const blob = await client.crypto.advanceEncrypt({ keyId, plaintext: p2, encryptionContext: context });
  const dataKey = await client.dataKeys.generateDataKey({
    keyId,
    keySpec: DataKeySpec.AES_256,
    encryptionContext: context,
  });
  const { crypto, dataKeys, keys } = {
    crypto: CryptoService.method,
    dataKeys: DataKeyService.method,
    keys: KeyService.method,
  };
  seeds = [
    {
      name: "Decrypt raw form",
      method: crypto.decrypt,
      init: { ciphertextBlob: raw.ciphertextBlob, keyId, iv: raw.iv, aad, encryptionContext: context },
      plaintext: p1,
      cipherFields: ["ciphertextBlob", "iv"],
    },
    {
      name: "Decrypt blob",
      method: crypto.decrypt,
      init: { ciphertextBlob: dataKey.ciphertextBlob, encryptionContext: context },
      plaintext: dataKey.plaintext,
      cipherFields: ["ciphertextBlob"],
    },
    {
      name: "AdvanceDecrypt blob",
      method: crypto.advanceDecrypt,
      init: { ciphertextBlob: blob.ciphertextBlob, encryptionContext: context },
      plaintext: p2,
      cipherFields: ["ciphertextBlob"],
    },
    {
      name: "ReEncrypt blob",
      method: crypto.reEncrypt,
      init: { ciphertextBlob: blob.ciphertextBlob, sourceEncryptionContext: context, destinationKeyId: keyId },
      cipherFields: ["ciphertextBlob"],
    },
    { name: "Encrypt", method: crypto.encrypt, init: { keyId, plaintext: p3, encryptionContext: context } },
    { name: "GenerateDataKey", method: dataKeys.generateDataKey, init: { keyId, keySpec: DataKeySpec.AES_256 } },
    { name: "GenerateRandom", method: crypto.generateRandom, init: { numberOfBytes: 16 } },
    { name: "DescribeKey", method: keys.describeKey, init: { keyId } },
    { name: "TagKey", method: keys.tagKey, init: { keyId: tagged, tags: { team: "fuzz" } } },
  ];
  awsSeeds = [
    {
      operation: "Decrypt",
      body: { CiphertextBlob: b64(blob.ciphertextBlob), EncryptionContext: context },
      plaintext: p2,
    },
    {
      operation: "Decrypt",
      body: { CiphertextBlob: b64(dataKey.ciphertextBlob), EncryptionContext: context },
      plaintext: Buffer.from(dataKey.plaintext),
    },
    { operation: "Encrypt", body: { KeyId: keyId, Plaintext: b64(p3), EncryptionContext: context } },
    { operation: "GenerateDataKey", body: { KeyId: keyId, KeySpec: "AES_256", EncryptionContext: context } },
    { operation: "DescribeKey", body: { KeyId: keyId } },
    { operation: "TagResource", body: { KeyId: tagged, Tags: [{ TagKey: "team", TagValue: "fuzz" }] } },
  ];
  const plaintext = randomBytes(3000);
  envelope = { bytes: await encryptEnvelope(client, keyId, plaintext, context), plaintext, context };
});

afterAll(async () => {
  h2?.close();
  await server?.stop();
  if (shm) rmSync(shm, { recursive: true, force: true });
});

const signer = () =>
  new SignatureV4({
    service: "kms",
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey },
    sha256: Sha256,
  });

/** Runs `task(0..n-1)` with at most `limit` in flight. */
async function pool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Answers per surface and code: the campaign must reach successes and refusals on every surface. */
const tally = new Map<string, number>();
function count(surface: string, outcome: string): void {
  tally.set(`${surface} ${outcome}`, (tally.get(`${surface} ${outcome}`) ?? 0) + 1);
  tally.set(surface, (tally.get(surface) ?? 0) + 1);
}

/** One case: its own PRNG (seeded by its number), its kind drawn first. Returns a failure or undefined. */
async function runCase(i: number, sign: SignatureV4, host: string): Promise<string | undefined> {
  const r = rng(SEED + Math.imul(i, 0x9e3779b9));
  const kind = r();
  if (kind < ENVELOPE_SHARE) {
    const m = mutateBytes(r, envelope.bytes, envelope.bytes);
    const changed = !m.bytes.equals(Buffer.from(envelope.bytes));
    try {
      const out = await decryptEnvelope(client, m.bytes, envelope.context);
      count("envelope", "ok");
      if (changed) return `envelope ${m.how}: a changed envelope was opened`;
      return Buffer.from(out).equals(envelope.plaintext) ? undefined : `envelope ${m.how}: wrong plaintext`;
    } catch (err) {
      count("envelope", err instanceof KmsClientError ? err.codeName : "thrown");
      if (err instanceof KmsClientError && ALLOWED_CONNECT_CODES.has(err.codeName as never)) return undefined;
      return `envelope ${m.how}: ${err instanceof KmsClientError ? err.codeName : String(err)}`;
    }
  }
  if (kind < ENVELOPE_SHARE + AWS_SHARE) {
    const c = await makeAwsCase(r, awsSeeds[int(r, awsSeeds.length)]!, awsSeeds[int(r, awsSeeds.length)]!, sign, host);
    const res = await h2.request("/", c.headers, c.body);
    count("aws", awsOutcomeOf(res));
    const verdict = judgeAws(c, res);
    return verdict && `aws ${c.seed.operation} ${c.how}: ${verdict}`;
  }
  const { protocol, seed, donor } = choose(r, seeds);
  const c = makeCase(r, protocol, seed, donor, ADMIN_AUTH.authorization);
  const res = await h2.request(c.path, c.headers, c.body);
  count(protocol, outcomeOf(c, res));
  const verdict = judge(c, res);
  return verdict && `${protocol} ${seed.name} ${c.how}: ${verdict}`;
}

describe("mutation fuzzer", () => {
  it(`${CASES} mutated requests: no 5xx, only documented codes, no wrong plaintext, no crash`, async () => {
    const host = new URL(server.url).host;
    const sign = signer();
    // Every seed unmutated must succeed, or the campaign would only exercise error paths.
    for (const seed of seeds) {
      for (const protocol of PROTOCOLS) {
        const c = seedCase(protocol, seed, ADMIN_AUTH.authorization);
        const res = await h2.request(c.path, c.headers, c.body);
        const outcome = { protocol, seed: seed.name, verdict: judge(c, res), ok: succeeded(c, res) };
        expect(outcome).toEqual({ protocol, seed: seed.name, verdict: undefined, ok: true });
      }
    }
    for (const seed of awsSeeds) {
      const c = await makeAwsCase(() => 0.99, seed, seed, sign, host, false);
      const res = await h2.request("/", c.headers, c.body);
      expect({ operation: seed.operation, status: res.status, verdict: judgeAws(c, res) }).toEqual({
        operation: seed.operation,
        status: 200,
        verdict: undefined,
      });
    }
    expect(Buffer.from(await decryptEnvelope(client, envelope.bytes, envelope.context))).toEqual(envelope.plaintext);

    const failures: string[] = [];
    await pool(CASES, IN_FLIGHT, async (i) => {
      const failure = await runCase(i, sign, host);
      if (failure) failures.push(`case ${i}: ${failure}`);
    });
    expect(failures.slice(0, 20)).toEqual([]);
    // Every surface was reached, and (envelopes aside: every mutation of one must fail) some
    // mutated requests still succeeded, so the campaign got past the decoders into core.
    for (const surface of [...PROTOCOLS, "aws", "envelope"]) {
      const reached = tally.get(surface) ?? 0;
      const succeeded = tally.get(`${surface} ok`) ?? 0;
      expect({ surface, reached: reached > CASES * 0.03 }).toEqual({ surface, reached: true });
      if (surface !== "envelope") expect({ surface, succeeded: succeeded > 0 }).toEqual({ surface, succeeded: true });
    }
    expect(server.child.exitCode).toBeNull();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    // The server writes its log in batches: give the last cases' lines time to arrive.
    await new Promise((r) => setTimeout(r, 3 * LOG_FLUSH_MS));
    const errorLines = server.logs.filter((l) => Number(l.level) >= 50);
    expect(errorLines.slice(0, 5)).toEqual([]);
  }, 240_000);
});
