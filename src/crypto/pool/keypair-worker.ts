import type { KeySpec } from "../../domain/types.js";
import { move, transferableSymbol, valueSymbol } from "piscina";
import { generateKeyPairSync } from "../key-pairs.js";
import { lowerToIdlePriority } from "./idle-priority.js";

// Every key-pair thread, on-demand or refill, yields the CPU to the event loop.
lowerToIdlePriority();

/** The job a pool thread receives. */
export interface KeyPairJob {
  spec: KeySpec;
}

/** What a pool thread returns: fresh buffers, transferred (not copied) to the caller. */
export interface KeyPairResult {
  publicKeyDer: Uint8Array;
  privateKeyDer: Uint8Array;
}

function detach(der: Buffer): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(der.length));
  out.set(der);
  der.fill(0);
  return out;
}

/**
 * Piscina task: generates one pair with the synchronous `crypto.generateKeyPairSync`, so the work
 * runs on this worker thread — not on the event loop, and not on libuv's shared threadpool where
 * the async variant would compete with file I/O and DNS. Each DER is copied into its own
 * ArrayBuffer (never a pooled one) and moved to the caller; the worker's copies are zeroed.
 */
export default function generate(job: KeyPairJob): unknown {
  const pair = generateKeyPairSync(job.spec);
  const value: KeyPairResult = { publicKeyDer: detach(pair.publicKeyDer), privateKeyDer: detach(pair.privateKeyDer) };
  return move({
    [transferableSymbol]: [value.publicKeyDer.buffer, value.privateKeyDer.buffer],
    [valueSymbol]: value,
  });
}
