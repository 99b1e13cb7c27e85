#!/usr/bin/env node
// Compiles the server (src/ and gen/ → dist/, tsconfig.build.json) at install: the root package's
// `postinstall` runs it after the ML-DSA addon. Then the README's `npm ci && npm start` runs the
// compiled build (bin/kms.mjs takes it while it is at least as new as the sources). The build
// starts in about half the CPU time of the sources under tsx and holds less memory: 190–197 against
// 274 MiB with 100,000 keys (bench/REPORT.md § memory), so the first command a user types meets
// issue #12's memory figure (under load too, with KMS_HEAP_GROWTH_PERCENT's default: § heap growth).
//
// It never fails the install. Without TypeScript (`npm ci --omit=dev`), or when the compiler
// reports an error, it prints one line, leaves no build behind, and `npm start` runs the sources
// as before.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

function done(line) {
  console.log(`kms build: ${line}`);
  process.exit(0);
}

/** A build with errors may be partly written: none at all is what `bin/kms.mjs` expects then. */
function removeBuild() {
  for (const dir of ["src", "gen"]) rmSync(join(ROOT, "dist", dir), { recursive: true, force: true });
}

if (!existsSync(TSC)) done("TypeScript is not installed (npm ci --omit=dev?): `npm start` will run the sources");
const result = spawnSync(process.execPath, [TSC, "-p", "tsconfig.build.json"], { cwd: ROOT, encoding: "utf8" });
if (result.status !== 0) {
  removeBuild();
  const first = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n")[0] ?? "";
  done(
    `the compile failed (${first || `exit ${result.status}`}): \`npm start\` will run the sources; \`npm run build\` shows why`,
  );
}
done("compiled src/ and gen/ to dist/ (`npm start` runs it)");
