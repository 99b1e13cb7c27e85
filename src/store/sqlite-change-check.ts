import type SqliteDatabase from "better-sqlite3";
import type { ChangeFeed } from "./caching-store.js";
import type { ReadCache } from "./read-cache.js";

/**
 * SQLite serves one server process, but the `kms` CLI (`kms principal delete`, `kms keys …` on
 * the data dir) writes the same file from another process. `PRAGMA data_version` changes exactly
 * when another connection has committed to the file since this connection last asked
 * (https://www.sqlite.org/pragma.html#pragma_data_version), so checking it before each cached
 * read — a few microseconds on a prepared statement — makes such changes seen at once too.
 */
export function sqliteChangeCheck(database: SqliteDatabase.Database, cache: ReadCache): ChangeFeed {
  const dataVersion = database.prepare("PRAGMA data_version").pluck();
  let seen = dataVersion.get();
  return {
    poll() {
      const now = dataVersion.get();
      if (now !== seen) {
        seen = now;
        cache.clear();
      }
    },
    close: async () => {},
  };
}
