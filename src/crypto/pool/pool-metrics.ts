import { Counter, Gauge, type Registry } from "prom-client";
import type { KeyPairPool, PoolSpecStats } from "./keypair-pool.js";

type Figure = (s: PoolSpecStats) => number;

/**
 * The key-pair pool on `/metrics`, labelled by spec only (no key material, no request data).
 * Read from the pool's own counts at scrape time, so the pool does not depend on prom-client:
 * gauges for depth and target, counters for hits, misses (generated on demand), refills and
 * discards (by reason).
 */
export function registerPoolMetrics(registry: Registry, pool: KeyPairPool): void {
  const gauge = (name: string, help: string, figure: Figure) =>
    new Gauge({
      name,
      help,
      labelNames: ["spec"] as const,
      registers: [registry],
      collect() {
        for (const s of pool.stats()) this.set({ spec: s.spec }, figure(s));
      },
    });
  const counter = (name: string, help: string, figure: Figure) =>
    new Counter({
      name,
      help,
      labelNames: ["spec"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of pool.stats()) this.inc({ spec: s.spec }, figure(s));
      },
    });
  gauge("kms_keypair_pool_depth", "Ready key pairs in the pool, by spec.", (s) => s.depth);
  gauge("kms_keypair_pool_target", "The pool's current (adaptive) target depth, by spec.", (s) => s.target);
  counter("kms_keypair_pool_hits_total", "Pair requests served from the pool, by spec.", (s) => s.hits);
  counter("kms_keypair_pool_misses_total", "Pair requests generated on demand (pool empty), by spec.", (s) => s.misses);
  counter("kms_keypair_pool_refills_total", "Pairs the background refill added, by spec.", (s) => s.refills);
  new Counter({
    name: "kms_keypair_pool_discards_total",
    help: "Pooled pairs zeroed and dropped unused, by spec and reason (expired, surplus, stopped).",
    labelNames: ["spec", "reason"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of pool.stats()) {
        for (const [reason, n] of Object.entries(s.discards)) this.inc({ spec: s.spec, reason }, n);
      }
    },
  });
}
