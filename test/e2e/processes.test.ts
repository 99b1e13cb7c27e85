import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kmsCli, sqliteArgs } from "../helpers/security.js";
import { ADMIN_AUTH, type ServerProcess, startServer } from "../helpers/server-process.js";

/** One Connect JSON call on a connection of its own (no keep-alive), so calls spread over processes. */
function call(
  server: ServerProcess,
  path: string,
  body: unknown,
  requestId: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method: "POST",
        agent: false,
        headers: {
          ...ADMIN_AUTH,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          "x-request-id": requestId,
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || "{}") }));
      },
    );
    req.once("error", reject);
    req.end(payload);
  });
}

/** The pid of the process that logged the call with this request id. */
function servedBy(server: ServerProcess, requestId: string): number | undefined {
  const line = server.logs.find((l) => l.reqId === requestId && typeof l.rpc === "string");
  return line?.pid as number | undefined;
}

async function until<T>(fn: () => T | undefined, ms = 30_000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("condition not met in time");
}

describe("KMS_PROCESSES=2 on SQLite", () => {
  let server: ServerProcess;
  let keyId: string;

  beforeAll(async () => {
    server = await startServer({
      env: { KMS_PROCESSES: "2", KMS_WORKERS: "1", KMS_KEYPAIR_CONCURRENCY: "1" },
      timeoutMs: 120_000,
    });
    const created = await call(server, "/kms.v1.KeyService/CreateKey", {}, "proc-create");
    expect(created.status).toBe(200);
    keyId = (created.body.key as { keyId: string }).keyId;
  });

  afterAll(async () => {
    if (server.child.exitCode === null) await server.stop();
  });

  it("announces one server of two processes, and serves calls from both", async () => {
    const listening = server.logs.filter((l) => l.msg === "kms listening");
    expect(listening).toHaveLength(1);
    expect(listening[0]).toMatchObject({ processes: 2, pid: server.pid, store: "sqlite" });
    const ids = Array.from({ length: 12 }, (_, i) => `proc-gdk-${i}`);
    const answers = await Promise.all(
      ids.map((id) =>
        call(server, "/kms.v1.DataKeyService/GenerateDataKey", { keyId, keySpec: "DATA_KEY_SPEC_AES_256" }, id),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(ids.map(() => 200));
    const pids = await Promise.all(ids.map((id) => until(() => servedBy(server, id))));
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(server.pid);
  });

  it("holds KMS_KEYPAIR_CONCURRENCY=1 for the whole server: a pair request on the other process is refused with 429", async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `proc-pair-${i}`);
    const answers = await Promise.all(
      ids.map((id) =>
        call(
          server,
          "/kms.v1.DataKeyService/GenerateDataKeyPair",
          { keyId, keyPairSpec: "KEY_PAIR_SPEC_RSA_2048" },
          id,
        ),
      ),
    );
    const ok = ids.filter((_, i) => answers[i]!.status === 200);
    const refused = ids.filter((_, i) => answers[i]!.status === 429);
    expect(ok.length + refused.length).toBe(ids.length);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const i of ids.keys()) {
      if (answers[i]!.status === 429) expect(answers[i]!.body.code).toBe("resource_exhausted");
    }
    const okPids = new Set(await Promise.all(ok.map((id) => until(() => servedBy(server, id)))));
    const refusedPids = await Promise.all(refused.map((id) => until(() => servedBy(server, id))));
    // A per-process semaphore would have given a permit to a process that held none: a refusal by
    // a process that served no pair at all can only come from the server-wide permit.
    expect(refusedPids.some((pid) => !okPids.has(pid))).toBe(true);
  });

  it("drains both processes on SIGTERM and exits 0; both processes' audit chains verify", async () => {
    const code = await server.stop("SIGTERM");
    expect(code).toBe(0);
    expect(server.logs.filter((l) => l.msg === "kms stopped").length).toBe(3);
    const verified = await kmsCli(["audit", "verify", ...sqliteArgs(server.dataDir)]);
    expect(verified.code).toBe(0);
  });
});
