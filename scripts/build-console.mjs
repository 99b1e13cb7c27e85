#!/usr/bin/env node
/**
 * Builds the web console (console/ → dist/console) with Vite.
 *
 *   node scripts/build-console.mjs             always build (`npm run build:console`)
 *   node scripts/build-console.mjs --if-stale  build only when dist/console/index.html is missing
 *                                              or older than a source file (`prestart`)
 *   … --if-stale --strict                      the same, but a failed build exits non-zero
 *                                              (test/global-setup.ts)
 *
 * `--if-stale` runs before every `npm start`, often many at once in the e2e tests, so its no-op
 * path only reads file times and writes nothing. A build goes to a temporary directory that is
 * then renamed into place, under a lock directory, so a server never serves a half-written
 * console and two builders never interleave. In `--if-stale` mode a failed build (or Vite missing,
 * as after `npm ci --omit=dev`) only warns: the server still starts and answers `/console/` with a
 * 503 naming `npm run build:console`.
 */
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist", "console");
const INDEX = join(OUT, "index.html");
const LOCK = join(ROOT, "dist", ".console-build.lock");
/** Everything the console bundle is built from (folders and single files; the policy editor uses the service's parser). */
const SOURCES = [
  "console",
  "src/client",
  "src/domain",
  "src/security/policy.ts",
  "src/security/wildcard.ts",
  "gen",
].map((p) => join(ROOT, p));
const LOCK_STALE_MS = 5 * 60_000;

async function newestSource() {
  let newest = 0;
  const walk = async (dir) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  };
  for (const source of SOURCES) {
    const info = await stat(source).catch(() => undefined);
    if (info?.isFile()) newest = Math.max(newest, info.mtimeMs);
    else await walk(source);
  }
  return newest;
}

async function isStale() {
  const built = await stat(INDEX).catch(() => undefined);
  if (!built) return true;
  return built.mtimeMs < (await newestSource());
}

/** Takes the lock directory (mkdir is atomic); waits for another builder, breaks a lock left by a crash. */
async function lock() {
  await mkdir(dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      await mkdir(LOCK);
      return;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      const held = await stat(LOCK).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) await rm(LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function build() {
  const { build: viteBuild } = await import("vite");
  const tmp = join(ROOT, "dist", `.console-${process.pid}`);
  const old = join(ROOT, "dist", `.console-old-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await viteBuild({
    configFile: join(ROOT, "console", "vite.config.ts"),
    logLevel: "warn",
    build: { outDir: tmp, emptyOutDir: true },
  });
  const hadOld = await rename(OUT, old).then(
    () => true,
    () => false,
  );
  await rename(tmp, OUT);
  if (hadOld) await rm(old, { recursive: true, force: true });
}

async function main() {
  const ifStale = process.argv.includes("--if-stale");
  if (ifStale && !(await isStale())) return;
  await lock();
  try {
    // Another builder may have finished while this one waited for the lock.
    if (ifStale && !(await isStale())) return;
    process.stderr.write("building the web console (dist/console)…\n");
    await build();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

main().catch((err) => {
  const ifStale = process.argv.includes("--if-stale");
  process.stderr.write(`web console build failed: ${err?.message ?? err}\n`);
  if (ifStale && !process.argv.includes("--strict")) {
    process.stderr.write("starting without it; /console/ answers 503 until `npm run build:console` succeeds\n");
    return;
  }
  process.exitCode = 1;
});
