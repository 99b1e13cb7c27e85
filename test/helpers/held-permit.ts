import { setTimeout as sleep } from "node:timers/promises";

/**
 * Sends `probe` while the server's one key-pair permit (`KMS_KEYPAIR_CONCURRENCY=1`) is held by an
 * RSA_4096 pair request, until a probe reports that it was refused or `attempts` run out; returns
 * whether one was.
 *
 * An RSA_4096 takes 0.3–3.4 s here, so a holder can end before the probe arrives: the permit is
 * free then and the probe is served, which says nothing about the server. So every attempt starts
 * a holder of its own, gives it `settleMs` to take the permit, probes, and waits for the holder,
 * which must succeed with an RSA_4096 pair (a refused holder means the permit was taken by
 * something else, and the test is not measuring what it thinks). A server that never refuses
 * still fails: every attempt's probe is served and this returns false.
 */
export async function refusedWhilePermitHeld(opts: {
  /** An RSA_4096 pair request; resolves to the reply. */
  hold: () => Promise<{ keyPairSpec: string }>;
  /** One probe; resolves to true when the server refused it as throttled. */
  probe: () => Promise<boolean>;
  attempts: number;
  settleMs?: number;
}): Promise<boolean> {
  for (let attempt = 0; attempt < opts.attempts; attempt++) {
    const holder = opts.hold();
    await sleep(opts.settleMs ?? 150);
    const refused = await opts.probe();
    const held = (await holder).keyPairSpec;
    if (held !== "KEY_PAIR_SPEC_RSA_4096") throw new Error(`the holder returned ${held}, not an RSA_4096 pair`);
    if (refused) return true;
  }
  return false;
}
