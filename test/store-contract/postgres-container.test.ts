import pg from "pg";
import { describe, expect, it } from "vitest";

const url = process.env.KMS_TEST_DATABASE_URL;
const forced = process.env.KMS_TEST_FORCE_CONTAINER === "1";

/**
 * Run with `KMS_TEST_FORCE_CONTAINER=1` (as `.ci/run` does beside a PostgreSQL test file): proves the
 * PostgreSQL suites then talk to the container `test/global-setup.ts` started — a private server
 * on another loopback port with its own data directory — and not to the shared one on 5432.
 */
describe.skipIf(!forced)("the PostgreSQL from testcontainers", () => {
  it("is a container's server on a loopback port other than 5432", async () => {
    expect(url).toBeDefined();
    const target = new URL(url!);
    expect(target.hostname).toBe("127.0.0.1");
    expect(target.port).not.toBe("5432");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ port: number; dir: string }>(
        "select inet_server_port() as port, current_setting('data_directory') as dir",
      );
      expect(rows[0]).toEqual({ port: Number(target.port), dir: "/tmp/pgdata" });
    } finally {
      await client.end();
    }
  });
});
