import { createPrivateKey, createPublicKey } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GenerateDataKeyPairCommand, GenerateDataKeyPairWithoutPlaintextCommand } from "@aws-sdk/client-kms";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorInfoReason, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { refusedWhilePermitHeld } from "../helpers/held-permit.js";
import { awsClient, kmsCli, outputDrained } from "../helpers/security.js";
import { ADMIN_AUTH, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * The ready key-pair pool (`KMS_KEYPAIR_POOL`), through the real server process: pooled pairs
 * are handed out once, the seed's semaphore still guards every pair RPC, old pairs are
 * discarded, the figures are on `/metrics` and `kms status`, no pooled pair reaches the
 * database or the logs, and `off` turns it all off.
 */

/** One sample of the Prometheus text, e.g. `kms_keypair_pool_hits_total{spec="EC_P256"}`; undefined if absent. */
async function metric(server: ServerProcess, name: string, labels: string): Promise<number | undefined> {
  const res = await fetch(`${server.url}/metrics`, { headers: ADMIN_AUTH });
  expect(res.status).toBe(200);
  const line = (await res.text()).split("\n").find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

const spec = (s: string) => `spec="${s}"`;

/** Polls until `check` holds (the pool fills and sweeps in the background), for at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(100);
  }
}

const filledLog = (server: ServerProcess) => server.logs.find((l) => l.msg === "key-pair pool filled");

async function newKey(c: GrpcClients): Promise<string> {
  return (await c.keys.CreateKey({ keySpec: "KEY_SPEC_AES_256" })).key.keyId;
}

describe("a pool of 1,000 EC_P256 pairs", () => {
  let server: ServerProcess;
  let c: GrpcClients;
  let keyId: string;
  const privateKeys: Buffer[] = [];

  beforeAll(async () => {
    server = await startServer({
      env: { KMS_KEYPAIR_POOL: "EC_P256=1000", KMS_KEYPAIR_CONCURRENCY: "64", KMS_WORKERS: "2" },
    });
    c = grpcClients(server.url);
    keyId = await newKey(c);
    await eventually(async () => filledLog(server) !== undefined, 60_000);
  }, 90_000);

  afterAll(async () => {
    c?.close();
    await server?.stop();
  });

  it("logs how long the initial fill took, and /metrics shows the full pool", async () => {
    const filled = filledLog(server)!;
    expect(filled.targets).toEqual({ EC_P256: 1000 });
    expect(typeof filled.durationMs).toBe("number");
    expect(filled.durationMs as number).toBeGreaterThan(0);
    expect(await metric(server, "kms_keypair_pool_depth", spec("EC_P256"))).toBe(1000);
    expect(await metric(server, "kms_keypair_pool_target", spec("EC_P256"))).toBe(1000);
    expect(await metric(server, "kms_keypair_pool_refills_total", spec("EC_P256"))).toBe(1000);
    expect(await metric(server, "kms_keypair_pool_depth", spec("RSA_4096"))).toBe(0);
    expect(await metric(server, "kms_keypair_pool_hits_total", spec("EC_P256"))).toBe(0);
  });

  it("1,000 pair calls get 1,000 pooled pairs: distinct public keys, each with its own private key", async () => {
    const publicKeys = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < 1000) {
        next++;
        const res = await c.dataKeys.GenerateDataKeyPair({
          keyId,
          keyPairSpec: "KEY_PAIR_SPEC_EC_P256",
          keyFormat: "KEY_FORMAT_DER",
        });
        publicKeys.add(res.publicKey.toString("hex"));
        privateKeys.push(res.privateKeyPlaintext);
        const derived = createPublicKey(
          createPrivateKey({ key: res.privateKeyPlaintext, format: "der", type: "pkcs8" }),
        );
        expect(derived.export({ type: "spki", format: "der" }).equals(res.publicKey)).toBe(true);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(privateKeys).toHaveLength(1000);
    expect(publicKeys.size).toBe(1000);
    expect(new Set(privateKeys.map((k) => k.toString("hex"))).size).toBe(1000);
    // Every one came from the pool: no miss, and the refill has put pairs back since.
    expect(await metric(server, "kms_keypair_pool_hits_total", spec("EC_P256"))).toBe(1000);
    expect(await metric(server, "kms_keypair_pool_misses_total", spec("EC_P256"))).toBe(0);
    await eventually(
      async () => (await metric(server, "kms_keypair_pool_refills_total", spec("EC_P256")))! > 1000,
      30_000,
    );
  }, 120_000);

  it("the AWS endpoint's GenerateDataKeyPair(WithoutPlaintext) take from the same pool", async () => {
    const before = (await metric(server, "kms_keypair_pool_hits_total", spec("EC_P256")))!;
    const aws = awsClient(server.url, {
      accessKeyId: TEST_ADMIN.accessKeyId,
      secretAccessKey: TEST_ADMIN.secretAccessKey,
    });
    const withPlaintext = await aws.send(
      new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: "ECC_NIST_P256" }),
    );
    privateKeys.push(Buffer.from(withPlaintext.PrivateKeyPlaintext!));
    await aws.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: "ECC_NIST_P256" }));
    aws.destroy();
    expect(await metric(server, "kms_keypair_pool_hits_total", spec("EC_P256"))).toBe(before + 2);
  });

  it("kms status shows the pool's figures from the running service", async () => {
    const out = await kmsCli(["status", "--endpoint", server.url], { KMS_TOKEN: TEST_ADMIN.token });
    expect(out.code).toBe(0);
    const row = out.stdout.split("\n").find((l) => l.startsWith("EC_P256 "));
    const hits = (await metric(server, "kms_keypair_pool_hits_total", spec("EC_P256")))!;
    // spec, depth, target, hits, misses, refills, discards
    const cells = row!.trim().split(/\s+/);
    expect(cells[0]).toBe("EC_P256");
    expect(Number(cells[2])).toBeGreaterThanOrEqual(1000);
    expect(Number(cells[3])).toBe(hits);
    expect(Number(cells[4])).toBe(0);
    expect(out.stdout).toMatch(/^key-pair pool\nspec +depth +target +hits +misses +refills +discards\n/);
    const refused = await kmsCli(["status", "--endpoint", server.url], { KMS_TOKEN: "kms_wrong-token-000000000000" });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe("");
  });

  it("no pair that went through the pool is in the database, the data directory or the logs", async () => {
    expect(privateKeys.length).toBeGreaterThan(1000);
    expect(await server.stop()).toBe(0);
    await outputDrained(server.child);
    const files: Buffer[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(readFileSync(path));
      }
    };
    walk(server.dataDir);
    expect(files.length).toBeGreaterThan(0);
    const output = Buffer.from(`${server.stdoutLines.join("\n")}\n${server.stderr()}`);
    const haystacks = [...files, output];
    for (const key of privateKeys) {
      // The raw DER, its hex and the first PEM line (base64 of the first 48 bytes).
      const needles = [key, Buffer.from(key.toString("hex")), Buffer.from(key.subarray(0, 48).toString("base64"))];
      for (const hay of haystacks) {
        for (const needle of needles) expect(hay.includes(needle)).toBe(false);
      }
    }
  }, 60_000);
});

/**
 * The semaphore in front of a full pool. The pool's pairs never expire here (the default maximum
 * age): with a short one, a sweep may empty the pool just as a call arrives, and the call that
 * should be a hit would be generated on demand instead.
 */
describe("the semaphore with the pool on", () => {
  let server: ServerProcess;
  let c: GrpcClients;
  let keyId: string;

  beforeAll(async () => {
    server = await startServer({
      env: { KMS_KEYPAIR_POOL: "EC_P256=4", KMS_KEYPAIR_CONCURRENCY: "1", KMS_WORKERS: "2" },
    });
    c = grpcClients(server.url);
    keyId = await newKey(c);
    await eventually(async () => filledLog(server) !== undefined, 30_000);
  }, 60_000);

  afterAll(async () => {
    c?.close();
    await server?.stop();
  });

  const pairReq = (s: string) => ({ keyId, keyPairSpec: `KEY_PAIR_SPEC_${s}`, keyFormat: "KEY_FORMAT_DER" });

  it("a pool hit is refused like any pair call while the one permit is held by an on-demand RSA_4096", async () => {
    const hits = (await metric(server, "kms_keypair_pool_hits_total", spec("EC_P256")))!;
    // The refused call would have been a hit: the pool holds pairs of its spec.
    expect(await metric(server, "kms_keypair_pool_depth", spec("EC_P256"))).toBeGreaterThan(0);
    // An RSA_4096 takes 0.3–3.4 s: one that ends before a probe is sent leaves the permit free and
    // the probe is served (a pool hit), so each probe is tried again with a new holder until it
    // has been refused once, over gRPC and over Connect JSON alike.
    let refusal: grpc.ServiceError | undefined;
    let jsonRefusal: Response | undefined;
    await refusedWhilePermitHeld({
      hold: () => c.dataKeys.GenerateDataKeyPair(pairReq("RSA_4096")),
      probe: async () => {
        if (refusal === undefined) {
          try {
            await c.dataKeys.GenerateDataKeyPairWithoutPlaintext(pairReq("EC_P256"));
          } catch (err) {
            refusal = err as grpc.ServiceError;
          }
        }
        if (jsonRefusal === undefined) {
          const json = await fetch(`${server.url}/kms.v1.DataKeyService/GenerateDataKeyPair`, {
            method: "POST",
            headers: { "content-type": "application/json", ...ADMIN_AUTH },
            body: JSON.stringify(pairReq("EC_P256")),
          });
          if (json.status !== 200) jsonRefusal = json;
          else await json.arrayBuffer();
        }
        return refusal !== undefined && jsonRefusal !== undefined;
      },
      attempts: 8,
    });
    expect(jsonRefusal?.status).toBe(429);
    expect(((await jsonRefusal!.json()) as { message?: string }).message).toBe("Concurrency Limit Exceeded.");
    expect(refusal).toBeDefined();
    expect({ code: grpc.status[refusal!.code], reason: errorInfoReason(refusal), message: refusal!.details }).toEqual({
      code: "RESOURCE_EXHAUSTED",
      reason: "Rejected.Throttling",
      message: "Concurrency Limit Exceeded.",
    });
    expect(await metric(server, "kms_keypair_pool_misses_total", spec("RSA_4096"))).toBeGreaterThanOrEqual(1);
    // Permit free again: the next EC_P256 call is served from the pool.
    const ok = await c.dataKeys.AdvanceGenerateDataKeyPair(pairReq("EC_P256"));
    expect(ok.keyPairSpec).toBe("KEY_PAIR_SPEC_EC_P256");
    expect(await metric(server, "kms_keypair_pool_hits_total", spec("EC_P256"))).toBeGreaterThan(hits);
    expect(await metric(server, "kms_keypair_pool_misses_total", spec("EC_P256"))).toBe(0);
  }, 60_000);
});

describe("the maximum age", () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServer({
      env: { KMS_KEYPAIR_POOL: "EC_P256=4", KMS_KEYPAIR_POOL_MAX_AGE: "2s", KMS_WORKERS: "2" },
    });
    await eventually(async () => filledLog(server) !== undefined, 30_000);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("discards pairs older than KMS_KEYPAIR_POOL_MAX_AGE and refills them", async () => {
    const refills = (await metric(server, "kms_keypair_pool_refills_total", spec("EC_P256")))!;
    await eventually(
      async () =>
        ((await metric(server, "kms_keypair_pool_discards_total", `${spec("EC_P256")},reason="expired"`)) ?? 0) >= 4,
      15_000,
    );
    await eventually(
      async () => (await metric(server, "kms_keypair_pool_refills_total", spec("EC_P256")))! >= refills + 4,
      15_000,
    );
    expect(await metric(server, "kms_keypair_pool_depth", spec("EC_P256"))).toBeLessThanOrEqual(4);
  }, 40_000);
});

describe("KMS_KEYPAIR_POOL=off", () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServer({ env: { KMS_KEYPAIR_POOL: "off", KMS_WORKERS: "2" } });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("starts no pool: no pool metrics, `kms status` says off, pair calls are generated on demand", async () => {
    expect(server.logs.some((l) => l.msg === "key-pair pool off")).toBe(true);
    expect(server.logs.some((l) => l.msg === "key-pair pool filling")).toBe(false);
    const c = grpcClients(server.url);
    const keyId = await newKey(c);
    const res = await c.dataKeys.GenerateDataKeyPair({ keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256" });
    c.close();
    expect(res.publicKey.length).toBeGreaterThan(0);
    const text = await (await fetch(`${server.url}/metrics`, { headers: ADMIN_AUTH })).text();
    expect(text).toContain("kms_requests_total");
    expect(text).not.toContain("kms_keypair_pool");
    const out = await kmsCli(["status", "--endpoint", server.url, "--token", TEST_ADMIN.token]);
    expect({ code: out.code, stdout: out.stdout }).toEqual({ code: 0, stdout: "key-pair pool: off\n" });
  });
});
