import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { GenerateDataKeyPairCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { errorInfoReason, expectGrpcError, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { refusedWhilePermitHeld } from "../helpers/held-permit.js";
import { ADMIN_AUTH, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * The seed's per-instance concurrency limit on the four pair RPCs (`KMS_KEYPAIR_CONCURRENCY`): with one
 * permit, a request that finds it taken is refused at once with RESOURCE_EXHAUSTED,
 * `Rejected.Throttling`, `Concurrency Limit Exceeded.` (HTTP 429 over Connect), never queued;
 * and a permit always comes back, also when the caller cancels.
 */

const THROTTLED_MESSAGE = "Concurrency Limit Exceeded.";

let server: ServerProcess;
let c: GrpcClients;
let keyId: string;

const pairReq = (spec: string) => ({ keyId, keyPairSpec: `KEY_PAIR_SPEC_${spec}`, keyFormat: "KEY_FORMAT_DER" });

type Outcome = { ok: true } | { ok: false; err: grpc.ServiceError };

function settle(p: Promise<unknown>): Promise<Outcome> {
  return p.then(
    () => ({ ok: true }) as const,
    (err: grpc.ServiceError) => ({ ok: false, err }) as const,
  );
}

function isThrottled(o: Outcome): boolean {
  return !o.ok && o.err.code === status.RESOURCE_EXHAUSTED && errorInfoReason(o.err) === "Rejected.Throttling";
}

/** The callback form of a DataKeyService method, for calls the test must cancel. */
function rawUnary(method: string) {
  const fn = (c.raw.dataKeys as unknown as Record<string, unknown>)[method] as (
    req: unknown,
    md: grpc.Metadata,
    opts: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null) => void,
  ) => grpc.ClientUnaryCall;
  return fn.bind(c.raw.dataKeys);
}

/** Calls an EC pair RPC until it is not throttled, for at most `ms`; returns the last outcome. */
async function untilNotThrottled(ms: number): Promise<{ outcome: Outcome; attempts: number }> {
  const deadline = Date.now() + ms;
  let attempts = 0;
  for (;;) {
    attempts++;
    const outcome = await settle(c.dataKeys.GenerateDataKeyPairWithoutPlaintext(pairReq("EC_P256")));
    if (!isThrottled(outcome) || Date.now() > deadline) return { outcome, attempts };
    await sleep(100);
  }
}

beforeAll(async () => {
  server = await startServer({ env: { KMS_KEYPAIR_CONCURRENCY: "1", KMS_WORKERS: "1" } });
  c = grpcClients(server.url);
  keyId = (await c.keys.CreateKey({ keySpec: "KEY_SPEC_AES_256" })).key.keyId;
  // Warm the channel and the worker, so the burst below is not spread out by connection set-up.
  await c.dataKeys.GenerateDataKeyPair(pairReq("EC_P256"));
});

afterAll(async () => {
  c?.close();
  await server?.stop();
});

describe("one permit", () => {
  it("a burst of four RSA_4096 requests: one runs, the others — gRPC and Connect JSON — are refused at once", async () => {
    const started = Date.now();
    const timings: number[] = [];
    let holderDone = false;
    let onRefusal!: () => void;
    const firstRefusal = new Promise<void>((res) => {
      onRefusal = res;
    });
    const calls = [0, 1, 2, 3].map((i) =>
      settle(
        (i % 2 === 0 ? c.dataKeys.GenerateDataKeyPair : c.dataKeys.AdvanceGenerateDataKeyPairWithoutPlaintext)(
          pairReq("RSA_4096"),
        ),
      ).then((o) => {
        timings[i] = Date.now() - started;
        if (o.ok) holderDone = true;
        else onRefusal();
        return o;
      }),
    );
    // As soon as one refusal is back, the permit is known to be held: ask over Connect JSON now.
    await Promise.race([firstRefusal, Promise.all(calls)]);
    const heldWhenSent = !holderDone;
    const probeJson = () =>
      fetch(`${server.url}/kms.v1.DataKeyService/GenerateDataKeyPair`, {
        method: "POST",
        headers: { "content-type": "application/json", ...ADMIN_AUTH },
        body: JSON.stringify({ keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256", keyFormat: "KEY_FORMAT_DER" }),
      });
    let json = await probeJson();
    const outcomes = await Promise.all(calls);
    // An RSA_4096 takes 0.3–3.4 s: one that ended between the refusal and the probe's arrival left
    // the permit free and the probe was served. Then the probe is tried again beside a holder of
    // its own (a flake seen on the Node.js 24 pass); a server that never refuses still fails below.
    if (json.status === 200) {
      await json.arrayBuffer();
      await refusedWhilePermitHeld({
        hold: () => c.dataKeys.GenerateDataKeyPair(pairReq("RSA_4096")),
        probe: async () => {
          json = await probeJson();
          if (json.status !== 200) return true;
          await json.arrayBuffer();
          return false;
        },
        attempts: 6,
      });
    }
    const jsonBody = (await json.json()) as Record<string, unknown>;

    const successes = outcomes.filter((o) => o.ok);
    const refused = outcomes.filter((o) => !o.ok);
    expect(successes.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const o of refused) {
      if (o.ok) continue;
      expect({ code: status[o.err.code], reason: errorInfoReason(o.err), message: o.err.details }).toEqual({
        code: "RESOURCE_EXHAUSTED",
        reason: "Rejected.Throttling",
        message: THROTTLED_MESSAGE,
      });
    }
    // Refused at once, not queued behind the running generation.
    const slowest = Math.max(...timings.filter((_, i) => outcomes[i]!.ok));
    const refusedTimes = timings.filter((_, i) => !outcomes[i]!.ok);
    expect(Math.max(...refusedTimes)).toBeLessThan(slowest);

    // The seed's HTTP 429 over Connect JSON, with the Connect code and the seed's message.
    expect(heldWhenSent).toBe(true);
    expect(json.status).toBe(429);
    expect(jsonBody.code).toBe("resource_exhausted");
    expect(jsonBody.message).toBe(THROTTLED_MESSAGE);
    expect(json.headers.get("x-request-id")?.length).toBeGreaterThan(0);
  });

  it("once the burst is over the permit is free again, over gRPC and Connect JSON", async () => {
    const next = await c.dataKeys.GenerateDataKeyPair(pairReq("EC_P256"));
    expect(next.keyPairSpec).toBe("KEY_PAIR_SPEC_EC_P256");
    const after = await fetch(`${server.url}/kms.v1.DataKeyService/GenerateDataKeyPairWithoutPlaintext`, {
      method: "POST",
      headers: { "content-type": "application/json", ...ADMIN_AUTH },
      body: JSON.stringify({ keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256", keyFormat: "KEY_FORMAT_DER" }),
    });
    expect(after.status).toBe(200);
    const json = (await after.json()) as Record<string, unknown>;
    expect(json.keyPairSpec).toBe("KEY_PAIR_SPEC_EC_P256");
    expect(typeof json.publicKey).toBe("string");
  });

  /** Request ids of cancelled calls, for the log check below. */
  const cancelledIds: string[] = [];

  it("a cancelled request gives its permit back", async () => {
    // Start an RSA_4096 request and make sure it holds the one permit before cancelling it.
    let call: grpc.ClientUnaryCall | undefined;
    let cancelledOutcome: Promise<grpc.ServiceError | null> | undefined;
    let heldPermit = false;
    for (let attempt = 0; attempt < 5 && !heldPermit; attempt++) {
      const md = new grpc.Metadata();
      const requestId = `sem-cancel-${attempt}-${Date.now()}`;
      md.set("x-request-id", requestId);
      cancelledOutcome = new Promise((res) => {
        call = rawUnary("GenerateDataKeyPair")(pairReq("RSA_4096"), md, {}, (err) => res(err));
      });
      await sleep(150);
      const probe = await settle(c.dataKeys.GenerateDataKeyPairWithoutPlaintext(pairReq("EC_P256")));
      heldPermit = isThrottled(probe);
      if (heldPermit) cancelledIds.push(requestId);
      // Otherwise the RSA request had already finished (or was itself refused): try again.
      else await cancelledOutcome;
    }
    expect(heldPermit).toBe(true);

    call!.cancel();
    const err = await cancelledOutcome!;
    expect(err?.code).toBe(status.CANCELLED);

    // The permit comes back within a bounded time: the next request is not throttled forever.
    const { outcome } = await untilNotThrottled(5_000);
    expect(outcome.ok).toBe(true);
    const next = await c.dataKeys.AdvanceGenerateDataKeyPair(pairReq("EC_P256K"));
    expect(next.keyPairSpec).toBe("KEY_PAIR_SPEC_EC_P256K");
    expect(next.privateKeyPlaintext.length).toBeGreaterThan(0);
  });

  /**
   * Regression: a caller's cancellation reaches the pool as piscina's `AbortError`, which the
   * pipeline treats as an unexpected failure — an error-level "unexpected failure" log line and
   * an `Internal` outcome in the log and the metrics for every client that gives up.
   */
  it("a cancelled request is not logged or counted as an internal failure (regression)", async () => {
    const requestId = cancelledIds[0];
    expect(requestId).toBeDefined();
    const mine = () => server.logs.filter((l) => l.reqId === requestId);
    for (let i = 0; i < 40 && !mine().some((l) => l.msg === "call"); i++) await sleep(50);
    const final = mine().find((l) => l.msg === "call");
    expect(final).toBeDefined();
    expect(mine().filter((l) => l.msg === "unexpected failure")).toEqual([]);
    expect(final?.code).not.toBe("Internal");
  });

  /**
   * Starts `send` (an RSA_4096 pair request with the given request id and abort signal) until one
   * holds the one permit 150 ms later, i.e. is generating its pair, and aborts that one. Resolves
   * with the call's `call` log line; a call that ended before the abort is tried again.
   */
  async function abortWhileGenerating(
    label: string,
    send: (requestId: string, signal: AbortSignal) => Promise<unknown>,
  ): Promise<Record<string, unknown>> {
    let requestId = "";
    let cancelled = false;
    for (let attempt = 0; attempt < 5 && !cancelled; attempt++) {
      requestId = `sem-${label}-cancel-${attempt}-${Date.now()}`;
      const abort = new AbortController();
      const holder = settle(send(requestId, abort.signal));
      await sleep(150);
      if (isThrottled(await settle(c.dataKeys.GenerateDataKeyPairWithoutPlaintext(pairReq("EC_P256"))))) {
        abort.abort();
        cancelled = true;
      }
      await holder;
    }
    expect(cancelled).toBe(true);
    return vi.waitFor(
      () => {
        const found = server.logs.find((l) => l.reqId === requestId && l.msg === "call");
        if (!found) throw new Error(`no call line for ${requestId} yet`);
        return found;
      },
      { timeout: 10_000 },
    );
  }

  it("an AWS client that goes away cancels its pair generation: the call ends Cancelled", async () => {
    const kms = new KMSClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey },
      maxAttempts: 1,
    });
    let requestId = "";
    kms.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers["x-request-id"] = requestId;
        return next(args);
      },
      { step: "build" },
    );
    try {
      const line = await abortWhileGenerating("aws", (id, signal) => {
        requestId = id;
        return kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: "RSA_4096" }), {
          abortSignal: signal,
        });
      });
      // Served to the end, it would be "OK"; a pipeline that misread the abort, "Internal".
      expect(line.code).toBe("Cancelled");
      expect((await untilNotThrottled(5_000)).outcome.ok).toBe(true);
    } finally {
      kms.destroy();
    }
  });

  it("a Connect JSON (HTTP/1.1) client that goes away cancels its pair generation: the call ends Cancelled", async () => {
    const line = await abortWhileGenerating("connect", (id, signal) =>
      fetch(`${server.url}/kms.v1.DataKeyService/GenerateDataKeyPair`, {
        method: "POST",
        headers: { ...ADMIN_AUTH, "content-type": "application/json", "x-request-id": id },
        body: JSON.stringify({ keyId, keyPairSpec: "KEY_PAIR_SPEC_RSA_4096", keyFormat: "KEY_FORMAT_DER" }),
        signal,
      }).then((r) => r.arrayBuffer()),
    );
    expect(line.code).toBe("Cancelled");
    expect((await untilNotThrottled(5_000)).outcome.ok).toBe(true);
  });

  it("requests that fail before taking the permit never leak one", async () => {
    for (let i = 0; i < 3; i++) {
      await expectGrpcError(
        c.dataKeys.GenerateDataKeyPair({ keyId: "alias/does-not-exist", keyPairSpec: "KEY_PAIR_SPEC_EC_P256" }),
        status.NOT_FOUND,
        "NotFoundException",
      );
    }
    const ok = await c.dataKeys.GenerateDataKeyPair(pairReq("EC_P256"));
    expect(ok.keyId).toBe(keyId);
  });
});
