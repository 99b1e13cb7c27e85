import type { Worker } from "node:cluster";
import type { PairGate } from "../crypto/pool/semaphore.js";
import { Semaphore } from "../crypto/pool/semaphore.js";
import { isPrimaryMessage, isWorkerMessage, type PrimaryMessage, type WorkerMessage } from "./messages.js";

/**
 * A server process's key-pair gate in a cluster: each permit is taken from, and given back to,
 * the primary's one {@link Semaphore} over IPC, so `KMS_KEYPAIR_CONCURRENCY=1` still means one
 * pair request at a time for the whole server (the seed's instance), whichever process serves it.
 * Like the semaphore, it never queues: the primary answers at once, granted or not.
 */
export function clusterPairGate(channel: Pick<NodeJS.Process, "send" | "on"> = process): PairGate {
  let nextId = 1;
  const waiting = new Map<number, (granted: boolean) => void>();
  channel.on("message", (m: unknown) => {
    if (!isPrimaryMessage(m)) return;
    const answer = waiting.get(m.id);
    waiting.delete(m.id);
    answer?.(m.granted);
  });
  const send = (m: WorkerMessage) => channel.send!(m);
  return {
    tryAcquire() {
      const id = nextId++;
      return new Promise<(() => void) | null>((resolve) => {
        waiting.set(id, (granted) => {
          if (!granted) return resolve(null);
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            send({ kms: "permit-release", id });
          });
        });
        send({ kms: "permit-acquire", id });
      });
    },
  };
}

/**
 * The primary's side: serves permits to every process from one semaphore, and takes back the
 * permits of a process that exits while holding them.
 */
export function servePairPermits(permits: number): { attach(worker: Worker): void } {
  const semaphore = new Semaphore(permits);
  return {
    attach(worker) {
      const held = new Map<number, () => void>();
      worker.on("message", (m: unknown) => {
        if (!isWorkerMessage(m)) return;
        if (m.kms === "permit-acquire") {
          const release = semaphore.tryAcquire();
          if (release) held.set(m.id, release);
          const answer: PrimaryMessage = { kms: "permit", id: m.id, granted: release !== null };
          if (worker.isConnected()) worker.send(answer);
          else release?.();
        } else if (m.kms === "permit-release") {
          held.get(m.id)?.();
          held.delete(m.id);
        }
      });
      worker.on("exit", () => {
        for (const release of held.values()) release();
        held.clear();
      });
    },
  };
}
