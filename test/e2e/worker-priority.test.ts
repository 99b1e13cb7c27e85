import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * Key-pair worker threads run under Linux's SCHED_IDLE policy (src/crypto/pool/idle-priority.ts),
 * so RSA generation yields the CPU to the event loop at once. Read from the real server process:
 * the scheduling policy of each of its threads is field 41 of `/proc/<pid>/task/<tid>/stat`.
 */

const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

/** The scheduling policy of every thread of `pid`, by thread id. */
function threadPolicies(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out.set(Number(tid), Number(rest[41 - 3]));
  }
  return out;
}

const count = (policies: Map<number, number>, policy: number) =>
  [...policies.values()].filter((p) => p === policy).length;

describe.runIf(process.platform === "linux")("key-pair worker threads yield to the event loop", () => {
  for (const [label, env, threads] of [
    ["pool off, KMS_WORKERS=3", { KMS_WORKERS: "3", KMS_KEYPAIR_POOL: "off" }, 3],
    // The pool adds its refill lane: max(1, KMS_WORKERS − 1) threads of its own.
    ["pool on, KMS_WORKERS=2", { KMS_WORKERS: "2", KMS_KEYPAIR_POOL: "EC_P256=2" }, 3],
  ] as const) {
    describe(label, () => {
      let server: ServerProcess;
      let c: GrpcClients;

      beforeAll(async () => {
        server = await startServer({ env: { ...env, KMS_PROCESSES: "1" } });
        c = grpcClients(server.url);
      });

      afterAll(async () => {
        c?.close();
        await server?.stop();
      });

      it(`${threads} worker threads run under SCHED_IDLE, the main thread does not`, async () => {
        const keyId = (await c.keys.CreateKey({ keySpec: "KEY_SPEC_AES_256" })).key.keyId;
        const pair = await c.dataKeys.GenerateDataKeyPair({
          keyId,
          keyPairSpec: "KEY_PAIR_SPEC_EC_P256",
          keyFormat: "KEY_FORMAT_DER",
        });
        expect(pair.publicKey.length).toBeGreaterThan(0);
        // Threads lower themselves as they load; give a slow machine a moment.
        const deadline = Date.now() + 10_000;
        let policies = threadPolicies(server.pid);
        while (count(policies, SCHED_IDLE) < threads && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          policies = threadPolicies(server.pid);
        }
        expect(count(policies, SCHED_IDLE)).toBe(threads);
        expect(policies.get(server.pid)).toBe(SCHED_OTHER);
      });
    });
  }
});
