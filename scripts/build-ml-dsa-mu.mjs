#!/usr/bin/env node
// Builds native/ml-dsa-mu, the addon that signs and verifies ML-DSA from an external mu (AWS's
// EXTERNAL_MU; see native/ml-dsa-mu/README.md). Run by the root package's `postinstall`.
//
// It builds only on a runtime whose OpenSSL has ML-DSA (Node.js >= 24.7), with npm's own
// node-gyp, against the headers of that very runtime: `npm_config_nodedir` when set, else the
// runtime's own prefix when it has include/node/node_api.h. It never downloads headers. It never
// fails the install: a runtime without ML-DSA, missing headers or a failed build (no compiler)
// each print one line and exit 0, and the service then answers EXTERNAL_MU with
// UnsupportedOperation. The full node-gyp output goes to native/ml-dsa-mu/build.log.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ADDON_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "native", "ml-dsa-mu");
const BUILD_DIR = join(ADDON_DIR, "build");
const ADDON = join(BUILD_DIR, "Release", "ml_dsa_mu.node");
const LOG = join(ADDON_DIR, "build.log");
const runtime = `Node.js ${process.version} (OpenSSL ${process.versions.openssl})`;

function done(line) {
  console.log(`ml-dsa-mu: ${line}`);
  process.exit(0);
}

function runtimeHasMlDsa() {
  try {
    generateKeyPairSync("ml-dsa-44");
    return true;
  } catch {
    return false;
  }
}

/** The version a headers folder declares (include/node/node_version.h), or null if it has none. */
function headersVersion(dir) {
  const file = join(dir, "include", "node", "node_version.h");
  if (!existsSync(join(dir, "include", "node", "node_api.h")) || !existsSync(file)) return null;
  const text = readFileSync(file, "utf8");
  const part = (name) => text.match(new RegExp(`#define NODE_${name}_VERSION (\\d+)`))?.[1];
  return `v${part("MAJOR")}.${part("MINOR")}.${part("PATCH")}`;
}

/**
 * The headers to build against, never a download: npm_config_nodedir, else the runtime's own
 * prefix — whichever holds this runtime's own headers. A nodedir of another Node.js (an ~/.npmrc
 * `nodedir` left for the machine's default Node.js) would bring another OpenSSL's headers, so it
 * is passed over rather than used.
 */
function nodeDir() {
  const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))];
  return candidates.find((dir) => dir && headersVersion(dir) === process.version) ?? null;
}

/** npm gives lifecycle scripts its bundled node-gyp; outside npm, the one beside npm-cli.js. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) {
    return process.env.npm_config_node_gyp;
  }
  const execPath = process.env.npm_execpath;
  const besideNpm = execPath && join(dirname(execPath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js");
  return besideNpm && existsSync(besideNpm) ? besideNpm : null;
}

if (!runtimeHasMlDsa()) {
  // A build left from another runtime would not load here anyway; remove it so the tree says so.
  rmSync(BUILD_DIR, { recursive: true, force: true });
  done(`skipped on ${runtime}: no ML-DSA in this runtime, so no EXTERNAL_MU (needs Node.js >= 24.7)`);
}
const nodedir = nodeDir();
if (nodedir === null) {
  done(`WARNING: not built: no headers of ${process.version} (set npm_config_nodedir); EXTERNAL_MU stays unsupported`);
}
const gyp = nodeGyp();
if (gyp === null) {
  done(`WARNING: not built: npm's node-gyp not found (run through npm); EXTERNAL_MU stays unsupported`);
}

const build = spawnSync(process.execPath, [gyp, "rebuild", `--nodedir=${nodedir}`], {
  cwd: ADDON_DIR,
  env: { ...process.env, npm_config_nodedir: nodedir },
  encoding: "utf8",
  timeout: 300_000,
});
writeFileSync(LOG, `${build.stdout ?? ""}${build.stderr ?? ""}${build.error ? `\n${build.error}\n` : ""}`);
if (build.status !== 0) {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  done(`WARNING: build failed (no C compiler?); EXTERNAL_MU stays unsupported; see ${LOG}`);
}
try {
  const addon = createRequire(import.meta.url)(ADDON);
  if (typeof addon.signMu !== "function" || typeof addon.verifyMu !== "function") throw new Error("no exports");
} catch (err) {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  done(`WARNING: built but does not load (${err.message.split("\n")[0]}); EXTERNAL_MU stays unsupported`);
}
done(`built for ${runtime} with ${nodedir}: EXTERNAL_MU enabled`);
