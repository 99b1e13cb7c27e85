import type SqliteDatabase from "better-sqlite3";
import { sql, type Kysely } from "kysely";
import type { ChangeFeed } from "./caching-store.js";
import type { ReadCache } from "./read-cache.js";

/** The `kms_meta` row every cache-invalidating write on SQLite increments. */
const GENERATION = "cache_generation";

/**
 * How a SQLite store sees changes other connections committed to its file: the `kms` CLI
 * (`kms principal delete`, `kms keys …` on the data dir), other server processes
 * (`KMS_PROCESSES`). Every write transaction that changes what the read cache holds increments
 * the `cache_generation` meta row (`announce`, inside that transaction).
 *
 * Before the first cached read of each event-loop turn, `PRAGMA data_version` — a few
 * microseconds on a prepared statement — says whether another connection has committed to the
 * file since this connection last asked (https://www.sqlite.org/pragma.html#pragma_data_version);
 * only then is the generation read, and the cache cleared if it moved. The audit writer's thread
 * commits on every call, so the version alone would clear the cache on every call; the generation
 * tells those commits apart from real changes.
 */
export function sqliteChangeCheck(database: SqliteDatabase.Database, cache: ReadCache): ChangeFeed {
  const dataVersion = database.prepare("PRAGMA data_version").pluck();
  const generation = database.prepare("select value from kms_meta where name = ?").pluck();
  let seenVersion = dataVersion.get();
  let seenGeneration = generation.get(GENERATION) ?? null;
  let checkedThisTurn = false;
  const nextTurn = () => {
    checkedThisTurn = false;
  };
  return {
    async announce(trx) {
      await sql`insert into kms_meta (name, value) values (${GENERATION}, '1')
        on conflict (name) do update set value = cast(cast(value as integer) + 1 as text)`.execute(
        trx as Kysely<unknown>,
      );
    },
    poll() {
      // Once per event-loop turn: a call makes several cached reads and many calls finish in one
      // turn, and on a busy server this check ran on every read (≈ 5 % of the main thread under
      // GenerateDataKey load, bench/REPORT.md). Nothing is missed by it: a request that follows a
      // change committed elsewhere (its client saw the commit first) reaches this process through
      // an I/O event of a later turn than any check made before that commit, and setImmediate
      // runs at the end of the turn that made the check.
      if (checkedThisTurn) return;
      checkedThisTurn = true;
      setImmediate(nextTurn);
      const version = dataVersion.get();
      if (version === seenVersion) return;
      seenVersion = version;
      const now = generation.get(GENERATION) ?? null;
      if (now !== seenGeneration) {
        seenGeneration = now;
        cache.clear();
      }
    },
    close: async () => {},
  };
}
