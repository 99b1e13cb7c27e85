import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallContext, CoreDeps } from "../../src/core/deps.js";
import { createKeyAccess } from "../../src/core/access/key-access.js";
import { MaterialCache } from "../../src/core/keys/material-cache.js";
import type { KeyPairGenerator } from "../../src/crypto/key-pairs.js";
import { Semaphore } from "../../src/crypto/pool/semaphore.js";
import { createInlineKeyPairGenerator, createWorkerKeyPairGenerator } from "../../src/crypto/pool/worker-pool.js";
import { secureRandom } from "../../src/crypto/random.js";
import { RawRootKey } from "../../src/crypto/root-key.js";
import { RootKeyring } from "../../src/crypto/root-keyring.js";
import { openStore } from "../../src/store/open-store.js";

export interface CoreFixtureOptions {
  /** `inline` (default) generates pairs on the test's thread; `workers` uses the production pool. */
  keyPairs?: "inline" | "workers";
  /** Permits of the pair gate (default 4). */
  pairPermits?: number;
}

export interface CoreFixture {
  deps: CoreDeps;
  dataDir: string;
  /** Closes the pool and the store and removes the temp dir. */
  close(): Promise<void>;
}

/**
 * A real `CoreDeps` wired as `src/main.ts` wires it — SQLite store in a fresh temp dir, a random
 * root key, the real clock, CSPRNG and UUIDs — so integration tests exercise core, crypto and
 * store together with no transport in between.
 */
export async function createCoreFixture(opts: CoreFixtureOptions = {}): Promise<CoreFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), "kms-core-"));
  const store = await openStore({ dataDir });
  const rootKey = secureRandom(32);
  const root = new RawRootKey(rootKey);
  const keyring = new RootKeyring({ keys: [root], active: root.id, random: secureRandom });
  rootKey.fill(0);
  const keyPairs: KeyPairGenerator =
    opts.keyPairs === "workers" ? createWorkerKeyPairGenerator({ threads: 1 }) : createInlineKeyPairGenerator();
  const deps: CoreDeps = {
    store,
    keyring,
    keyPairs,
    pairGate: new Semaphore(opts.pairPermits ?? 4),
    materialCache: new MaterialCache(60_000, 10_000),
    clock: () => new Date(),
    random: secureRandom,
    newId: randomUUID,
    arn: { region: "us-east-1", accountId: "000000000000" },
    access: createKeyAccess(store),
  };
  return {
    deps,
    dataDir,
    async close() {
      await keyPairs.close();
      deps.materialCache.clear();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A call made by an admin principal: passes every key policy, as an operator's would. */
export function adminCall(requestId = randomUUID()): CallContext {
  return { requestId, principal: { name: "admin", admin: true } };
}

/** A call made by an ordinary principal named `name`. */
export function callAs(name: string, requestId = randomUUID()): CallContext {
  return { requestId, principal: { name, admin: false } };
}
