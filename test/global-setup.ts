import { execFileSync } from "node:child_process";
import net from "node:net";
import { resolve } from "node:path";

const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test";

/**
 * Makes `npm test` run everything on a machine with the usual local PostgreSQL: when
 * `KMS_TEST_DATABASE_URL` is unset and 127.0.0.1:5432 answers, the PostgreSQL suites use it.
 * Test workers inherit the variable. In CI (`CI` set) `.ci/run` sets it explicitly.
 */
export default async function setup(): Promise<void> {
  buildConsole();
  if (process.env.KMS_TEST_DATABASE_URL) return;
  const open = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port: 5432 });
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
  if (open) process.env.KMS_TEST_DATABASE_URL = DEFAULT_URL;
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
