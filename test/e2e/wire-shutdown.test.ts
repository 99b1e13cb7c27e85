import { createPublicKey } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { healthClient } from "../helpers/grpc-health.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * Graceful shutdown of the real process: SIGTERM stops accepting, lets in-flight calls finish,
 * and exits 0 (src/cli/index.ts, src/server.ts `close`).
 */

const started: ServerProcess[] = [];
const openClients: { close(): void }[] = [];

afterEach(async () => {
  for (const c of openClients.splice(0)) c.close();
  await Promise.all(started.splice(0).map((s) => s.stop("SIGKILL")));
});

async function start(env: Record<string, string>): Promise<{ server: ServerProcess; clients: GrpcClients }> {
  const server = await startServer({ env });
  started.push(server);
  const clients = grpcClients(server.url);
  openClients.push(clients);
  return { server, clients };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForLog(server: ServerProcess, msg: string, timeoutMs = 5_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const index = server.logs.findIndex((l) => l.msg === msg);
    if (index >= 0) return index;
    if (Date.now() > deadline) throw new Error(`no "${msg}" log line within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** GET /healthz on a new connection: the status, or the socket error code (ECONNREFUSED…). */
function probeHealthz(port: number): Promise<number | string> {
  return new Promise((res) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/healthz", agent: false, timeout: 3_000 }, (r) => {
      r.resume();
      r.on("end", () => res(r.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (err: NodeJS.ErrnoException) => res(err.code ?? "ERROR"));
  });
}

/** Opens a bare TCP connection: "connected", or the error code. */
function probeTcp(port: number): Promise<string> {
  return new Promise((res) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.destroy();
      res("connected");
    });
    socket.on("error", (err: NodeJS.ErrnoException) => res(err.code ?? "ERROR"));
  });
}

describe("SIGTERM", () => {
  it("lets an in-flight call finish, refuses new connections while draining, and exits 0", async () => {
    const { server, clients } = await start({ KMS_KEYPAIR_CONCURRENCY: "1", KMS_SHUTDOWN_GRACE_MS: "15000" });
    const { key } = await clients.keys.CreateKey({});
    // Warm the worker pool so the slow call below is slow because of RSA-4096, not thread start-up.
    await clients.dataKeys.GenerateDataKeyPair({ keyId: key.keyId, keyPairSpec: "KEY_PAIR_SPEC_EC_P256" });

    let settled = false;
    const inFlight = clients.dataKeys
      .GenerateDataKeyPair({ keyId: key.keyId, keyPairSpec: "KEY_PAIR_SPEC_RSA_4096", keyFormat: "KEY_FORMAT_DER" })
      .finally(() => {
        settled = true;
      });
    // If an assertion below fails first, the call is cut by the SIGKILL in afterEach: not a second error.
    inFlight.catch(() => {});
    await sleep(100);
    const exitCode = server.stop("SIGTERM");
    await waitForLog(server, "shutting down");
    expect(settled).toBe(false);

    // The "shutting down" line is written just before the listener closes, and the process may be
    // descheduled in between (2 busy cores): a probe may still connect then. So wait, briefly, for the
    // first refusal; it must come while the slow call is still in flight. A probe that lands in the
    // accept backlog as the listener closes is reset: ECONNRESET is a refusal too.
    let tcp = await probeTcp(server.port);
    for (const until = Date.now() + 2_000; tcp === "connected" && Date.now() < until; ) {
      await sleep(5);
      tcp = await probeTcp(server.port);
    }
    expect(["ECONNREFUSED", "ECONNRESET"]).toContain(tcp);
    expect([503, "ECONNREFUSED", "ECONNRESET"]).toContain(await probeHealthz(server.port));
    expect(settled).toBe(false);

    const pair = await inFlight;
    expect(pair.keyId).toBe(key.keyId);
    expect(pair.keyPairSpec).toBe("KEY_PAIR_SPEC_RSA_4096");
    const publicKey = createPublicKey({ key: pair.publicKey, format: "der", type: "spki" });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(pair.privateKeyCiphertextBlob.length).toBeGreaterThan(0);

    expect(await exitCode).toBe(0);
    const shutdownAt = server.logs.findIndex((l) => l.msg === "shutting down");
    const callAt = server.logs.findLastIndex(
      (l) => l.msg === "call" && l.rpc === "kms.v1.DataKeyService/GenerateDataKeyPair" && l.code === "OK",
    );
    expect(callAt).toBeGreaterThan(shutdownAt);
    expect(server.logs.some((l) => l.msg === "kms stopped")).toBe(true);
    expect(await probeTcp(server.port)).toBe("ECONNREFUSED");
  });

  it("does not hold shutdown for the whole grace period because a health Watch stream is open", async () => {
    const { server } = await start({ KMS_SHUTDOWN_GRACE_MS: "8000" });
    const health = healthClient(server.port);
    openClients.push(health);
    const statuses: string[] = [];
    const watch = health.Watch({ service: "" });
    watch.on("data", (d: { status: string }) => statuses.push(d.status));
    watch.on("error", () => {});
    const deadline = Date.now() + 5_000;
    while (statuses.length === 0 && Date.now() < deadline) await sleep(10);
    expect(statuses).toEqual(["SERVING"]);

    const signalled = Date.now();
    const exitCode = await server.stop("SIGTERM");
    const tookMs = Date.now() - signalled;
    expect(exitCode).toBe(0);
    expect(statuses).toContain("NOT_SERVING");
    expect(tookMs).toBeLessThan(4_000);
  });

  it("SIGINT on an idle server exits 0 after logging kms stopped", async () => {
    const { server } = await start({});
    expect(await server.stop("SIGINT")).toBe(0);
    expect(server.logs.some((l) => l.msg === "kms stopped")).toBe(true);
  });
});
