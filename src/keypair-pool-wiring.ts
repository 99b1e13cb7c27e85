import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { KeyPairGenerator } from "./crypto/key-pairs.js";
import { KeyPairPool } from "./crypto/pool/keypair-pool.js";
import { createWorkerKeyPairGenerator } from "./crypto/pool/worker-pool.js";
import { createWorkerLanes } from "./crypto/pool/worker-lanes.js";
import { tracedKeyPairs } from "./crypto/pool/traced-key-pairs.js";

/** The key-pair generator core gets, and the ready-pair pool when `KMS_KEYPAIR_POOL` is on. */
export interface KeyPairWiring {
  keyPairs: KeyPairGenerator;
  pool: KeyPairPool | undefined;
}

/**
 * How long after start-up the initial fill begins. Filling at once slowed an instance's first
 * calls (measured: a 32-caller load on two fresh instances got no answer in its first 1.5 s while
 * both filled their default pools, and answers at once with the fill 3 s later); until then a
 * pair call is generated on demand, as without a pool.
 */
const FILL_GRACE_MS = 3_000;

/**
 * Builds the worker threads and, when configured, the pool in front of them; starts the initial
 * fill in the background after {@link FILL_GRACE_MS} (the service answers meanwhile: a pair not
 * yet pooled is generated on demand) and logs how long the fill took. Log lines carry counts and
 * durations only. With tracing on, each on-demand generation is a span of the call waiting for it.
 */
export function createKeyPairs(config: Config, logger: Logger, tracer?: Tracer): KeyPairWiring {
  const threads = createWorkerKeyPairGenerator({ threads: config.workers });
  const workers = tracer ? tracedKeyPairs(threads, tracer) : threads;
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
  setTimeout(() => {
    logger.info({ targets, maxAgeMs, refillThreads }, "key-pair pool filling");
    pool.start();
  }, FILL_GRACE_MS).unref();
  return { keyPairs: pool, pool };
}
