import type { RootKeyring } from "../crypto/root-keyring.js";
import type { KeyPairGenerator } from "../crypto/key-pairs.js";
import type { KeyPairSource } from "../crypto/pool/keypair-pool.js";
import type { PairGate } from "../crypto/pool/semaphore.js";
import type { RandomSource } from "../crypto/random.js";
import type { KeyStore } from "../store/key-store.js";
import type { KeyAccess, Principal } from "./access/access.js";
import type { MaterialCache } from "./keys/material-cache.js";
import type { KeyRecord } from "../domain/types.js";

/**
 * Everything core needs, injected once by `src/main.ts` (and by tests with fakes). Everything
 * nondeterministic — the clock, random bytes, ids and key-pair generation — comes from here so
 * that tests can pin it (OpenBao passes `rand` into every key function for the same reason).
 */
export interface CoreDeps {
  store: KeyStore;
  keyring: RootKeyring;
  /** Generates key pairs off the event loop (a worker pool in production). */
  keyPairs: KeyPairGenerator;
  /** The ready-pair pool the four data-key-pair operations take from first; absent: `keyPairs`. */
  pairSource?: KeyPairSource | undefined;
  /** The per-instance gate of the four data-key-pair operations (the seed's concurrency limit). */
  pairGate: PairGate;
  materialCache: MaterialCache;
  clock: () => Date;
  random: RandomSource;
  newId: () => string;
  /** Used to build and parse ARNs. */
  arn: { region: string; accountId: string };
  /** Key policies and grants. */
  access: KeyAccess;
}

/** Per-call facts that core needs from the transport. */
export interface CallContext {
  /** The request id; the seed's pair operations echo it in the response body. */
  requestId: string;
  /** Aborted when the caller goes away or its deadline passes. */
  signal?: AbortSignal | undefined;
  /** The authenticated caller. */
  principal: Principal;
  /** The key the call resolved to, once known: the audit record names it. */
  keyId?: string | undefined;
  /** A batch call's every distinct key, sorted (`core/batch.ts`): the audit record names them all. */
  keyIds?: string[] | undefined;
  /** A batch call's number of items, for its one audit record. */
  itemCount?: number | undefined;
  /**
   * Within one batch call, each key reference is resolved once and shared by the items
   * (`core/batch.ts`): the call sees one snapshot of each key, as a single call does. Access is
   * still checked per item.
   */
  resolved?: Map<string, Promise<KeyRecord>> | undefined;
}
