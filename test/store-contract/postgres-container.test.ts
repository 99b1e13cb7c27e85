import { spawn } from "node:child_process";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startPostgresContainer } from "../helpers/postgres-container.js";
import { ROOT } from "../helpers/server-process.js";

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

  it("removes the container of a run that died before its teardown, and only that one", async () => {
    const { getContainerRuntimeClient } = await import("testcontainers");
    const client = await getContainerRuntimeClient();
    const ours = async () => (await client.container.list()).filter((c) => c.Labels?.["org.kms.test"] === "postgres");
    const before = await ours();
    // A run that starts its PostgreSQL and is killed before any teardown (Ryuk is off).
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        'const m = await import("./test/helpers/postgres-container.ts"); const c = await m.startPostgresContainer(); if (typeof c === "string") process.exit(3); process.stdout.write("up\\n");',
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("up")) resolve();
      });
      child.once("exit", (code) => reject(new Error(`the child exited with ${code} before its container was up`)));
    });
    const deadPid = child.pid!;
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const orphan = (await ours()).find((c) => c.Labels?.["org.kms.test.owner-pid"] === String(deadPid));
    expect(orphan).toBeDefined();

    const next = await startPostgresContainer();
    if (typeof next === "string") throw new Error(next);
    try {
      const after = await ours();
      expect(after.some((c) => c.Id === orphan!.Id)).toBe(false);
      // The global setup's container (its process is alive) is untouched.
      for (const c of before) expect(after.some((a) => a.Id === c.Id)).toBe(true);
    } finally {
      await next.stop();
    }
  }, 120_000);
});
