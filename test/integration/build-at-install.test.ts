import { spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/server-process.js";

/**
 * `scripts/build-server.mjs`, which the root `postinstall` runs so that `npm ci && npm start` serves
 * the compiled build. Each case runs it in a package folder of its own (the sources copied, so that
 * one can be broken; `node_modules` linked), never in the repository, whose build the suite runs.
 */
let pkg: string | undefined;

function packageCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "kms-install-build-"));
  for (const name of ["src", "gen"]) cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  for (const name of ["package.json", "tsconfig.json", "tsconfig.build.json"]) {
    copyFileSync(join(ROOT, name), join(dir, name));
  }
  mkdirSync(join(dir, "scripts"));
  copyFileSync(join(ROOT, "scripts/build-server.mjs"), join(dir, "scripts/build-server.mjs"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  pkg = dir;
  return dir;
}

function runBuild(dir: string) {
  return spawnSync(process.execPath, ["scripts/build-server.mjs"], { cwd: dir, encoding: "utf8" });
}

afterEach(() => {
  if (pkg) rmSync(pkg, { recursive: true, force: true });
  pkg = undefined;
});

describe("the build at install", () => {
  it("compiles src/ and gen/ to dist/, where bin/kms.mjs looks for it", () => {
    const dir = packageCopy();
    const result = runBuild(dir);
    expect(result.status).toBe(0);
    expect(existsSync(join(dir, "dist/src/cli/index.js"))).toBe(true);
    expect(existsSync(join(dir, "dist/src/store/sqlite-audit-worker.js"))).toBe(true);
    expect(existsSync(join(dir, "dist/gen/kms/v1/key_service_pb.js"))).toBe(true);
  }, 120_000);

  it("leaves no build and does not fail the install when the compile fails", () => {
    const dir = packageCopy();
    expect(runBuild(dir).status).toBe(0);
    appendFileSync(join(dir, "src/domain/types.ts"), '\nexport const broken: number = "not a number";\n');

    const result = runBuild(dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("npm start` will run the sources");
    // A build from before the failure would be newer than every source but the broken one; none
    // at all is what makes bin/kms.mjs run the sources.
    expect(existsSync(join(dir, "dist/src"))).toBe(false);
    expect(existsSync(join(dir, "dist/gen"))).toBe(false);
  }, 120_000);

  it("does not fail the install without TypeScript (npm ci --omit=dev)", () => {
    const dir = packageCopy();
    rmSync(join(dir, "node_modules"));
    mkdirSync(join(dir, "node_modules"));

    const result = runBuild(dir);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("TypeScript is not installed");
    expect(existsSync(join(dir, "dist/src"))).toBe(false);
  });
});
