import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { KeyPairGenerator } from "./crypto/key-pairs.js";
import { KeyPairPool } from "./crypto/pool/keypair-pool.js";
import { createWorkerKeyPairGenerator } from "./crypto/pool/worker-pool.js";
import { createWorkerLanes } from "./crypto/pool/worker-lanes.js";

/** The key-pair generator core gets, and the ready-pair pool when `KMS_KEYPAIR_POOL` is on. */
export interface KeyPairWiring {
  keyPairs: KeyPairGenerator;
  pool: KeyPairPool | undefined;
}

/**
 * Builds the worker threads and, when configured, the pool in front of them; starts the initial
 * fill in the background (the service answers meanwhile: a pair not yet pooled is generated on
 * demand) and logs how long the fill took. Log lines carry counts and durations only.
 */
export function createKeyPairs(config: Config, logger: Logger): KeyPairWiring {
  const workers = createWorkerKeyPairGenerator({ threads: config.workers });
  if (!config.keyPairPool) {
    logger.info("key-pair pool off");
    return { keyPairs: workers, pool: undefined };
  }
  const { targets, maxAgeMs } = config.keyPairPool;
  const refillThreads = Math.max(1, config.workers - 1);
  const pool = new KeyPairPool({
    lanes: createWorkerLanes({
      demand: workers,
      refill: createWorkerKeyPairGenerator({ threads: refillThreads, niceIncrement: 19 }),
      threads: config.workers,
    }),
    targets,
    maxAgeMs,
    onFilled: (ms) => logger.info({ targets, durationMs: Math.round(ms) }, "key-pair pool filled"),
    onError: (err) => logger.error({ err }, "key-pair pool refill failed"),
  });
  logger.info({ targets, maxAgeMs, refillThreads }, "key-pair pool filling");
  pool.start();
  return { keyPairs: pool, pool };
}
