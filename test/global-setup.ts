import { execFileSync } from "node:child_process";
import net from "node:net";
import { resolve } from "node:path";
import { startPostgresContainer } from "./helpers/postgres-container.js";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";

/**
 * Finds the PostgreSQL the PostgreSQL suites use, and exports it to the test workers as
 * `KMS_TEST_DATABASE_URL` (workers inherit the variable), in this order:
 *
 * 1. `KMS_TEST_DATABASE_URL` when set (`.ci/run` sets it);
 * 2. the usual local PostgreSQL, when 127.0.0.1:5432 answers;
 * 3. a throw-away one in a container (`helpers/postgres-container.ts`), when a container engine
 *    answers, stopped again by the returned teardown;
 * 4. none: one line says why, and those suites skip (in CI they fail instead).
 *
 * `KMS_TEST_FORCE_CONTAINER=1` goes straight to 3 and fails when it cannot start one: `.ci/run`
 * proves the container path that way on one file while the local PostgreSQL serves the rest.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  buildConsole();
  buildServer();
  const forced = process.env.KMS_TEST_FORCE_CONTAINER === "1";
  if (!forced) {
    if (process.env.KMS_TEST_DATABASE_URL) return undefined;
    if (await answers("127.0.0.1", 5432)) {
      process.env.KMS_TEST_DATABASE_URL = DEFAULT_URL;
      return undefined;
    }
  }
  const container = await startPostgresContainer();
  if (typeof container === "string") {
    if (forced) throw new Error(`KMS_TEST_FORCE_CONTAINER=1, but ${container}`);
    console.log(`PostgreSQL tests skipped: no KMS_TEST_DATABASE_URL, nothing on 127.0.0.1:5432, and ${container}`);
    return undefined;
  }
  process.env.KMS_TEST_DATABASE_URL = container.url;
  return () => container.stop();
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Builds the web console once, before any test server starts: every e2e test runs `npm start`,
 * whose `prestart` then finds it fresh and writes nothing, so concurrent servers never race a build.
 */
function buildConsole(): void {
  execFileSync(process.execPath, ["scripts/build-console.mjs", "--if-stale", "--strict"], {
    cwd: resolve(import.meta.dirname, ".."),
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/**
 * Compiles the server (`npm run build`) once, before any test server starts: every `npm start` and
 * every `kms` command of the suite then runs the compiled build (`bin/kms.mjs` takes it while it is
 * at least as new as the sources), which starts in about half the CPU time of the sources under tsx
 * — a few hundred servers and CLI runs a suite. The sources' own start path is covered by
 * `test/e2e/compiled-build.test.ts` (a stale build is not run) and by the README's `npm start`.
 */
function buildServer(): void {
  const root = resolve(import.meta.dirname, "..");
  execFileSync(process.execPath, [resolve(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
}
