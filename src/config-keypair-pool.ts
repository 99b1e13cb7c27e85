import { z } from "zod";
import { KEY_PAIR_SPEC_NAMES, specRow, type KeyPairSpec } from "./domain/specs.js";
import { specAvailable } from "./crypto/post-quantum.js";

/** Ready pairs to keep per data-key-pair spec (the catalogue's names); a spec left out keeps none. */
export type PoolTargets = Partial<Record<KeyPairSpec, number>>;

/**
 * The default depths when `KMS_KEYPAIR_POOL` is unset (and more than one worker exists): each
 * pair spec's `poolDefault` in the catalogue. Kept small so that an idle instance spends a few
 * seconds of one thread at start-up, not minutes: the adaptive target (src/crypto/pool/demand.ts)
 * deepens a spec that sees bursts.
 */
export const DEFAULT_POOL_TARGETS: PoolTargets = Object.fromEntries(
  KEY_PAIR_SPEC_NAMES.flatMap((spec) => {
    const depth = specRow(spec).poolDefault;
    return depth === undefined ? [] : [[spec, depth]];
  }),
);

/**
 * The specs that can be pooled: every pair spec this runtime can generate (ML-KEM only on
 * Node.js >= 24.7), so a pool of a spec the runtime lacks stops start-up instead of failing refills.
 */
const POOLABLE = KEY_PAIR_SPEC_NAMES.filter(specAvailable);

/** The most pairs of one spec a configuration may ask for. */
const MAX_PER_SPEC = 10_000;

/**
 * `KMS_KEYPAIR_POOL`: `off` or `0` (no pool), or `SPEC=N` pairs separated by commas, e.g.
 * `RSA_4096=8,EC_P256=64`. Each spec at most once; N is 0..10000. The result is `null` for off
 * (also when every N is 0).
 */
export const keyPairPoolSchema = z.string().transform((text, ctx): PoolTargets | null => {
  const value = text.trim();
  if (value === "off" || value === "0") return null;
  const targets: PoolTargets = {};
  for (const item of value.split(",")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(\d{1,5})\s*$/.exec(item);
    const spec = POOLABLE.find((s) => s === match?.[1]);
    const count = Number(match?.[2]);
    if (!match || spec === undefined || count > MAX_PER_SPEC || targets[spec] !== undefined) {
      ctx.addIssue({ code: "custom", message: "bad item" });
      return z.NEVER;
    }
    targets[spec] = count;
  }
  return Object.values(targets).some((n) => n > 0) ? targets : null;
});

/** What `KMS_KEYPAIR_POOL` accepts, for its one-line error. */
export const KEYPAIR_POOL_ACCEPTS = `off, 0, or SPEC=N pairs separated by commas (SPEC one of ${POOLABLE.join(", ")}; N 0..${MAX_PER_SPEC}), e.g. RSA_4096=8,EC_P256=64`;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * `KMS_KEYPAIR_POOL_MAX_AGE`: a duration `<n>ms|s|m|h` (a bare number is seconds), from 1 s to
 * 24 h, in milliseconds.
 */
export const keyPairPoolMaxAgeSchema = z
  .string()
  .regex(/^\d{1,8}(ms|s|m|h)?$/)
  .transform((v) => {
    const unit = (/[a-z]+$/.exec(v)?.[0] ?? "s") as keyof typeof UNIT_MS;
    return Number.parseInt(v, 10) * UNIT_MS[unit];
  })
  .pipe(
    z
      .number()
      .int()
      .min(1000)
      .max(24 * UNIT_MS.h),
  );

/** The default maximum age of a pooled pair: one hour. */
export const DEFAULT_POOL_MAX_AGE_MS = UNIT_MS.h;
