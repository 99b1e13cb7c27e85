#!/usr/bin/env node
// The `kms` command. Runs the compiled build (`npm run build`, dist/) when there is one at least
// as new as every file of src/ and gen/, else the TypeScript sources through tsx (the worker pool
// and the SQLite audit thread load their modules the same way). A stale build is never run: after
// an edit without a rebuild, the sources are what was meant.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const built = join(root, "dist/src/cli/index.js");

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) max = Math.max(max, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return max;
}

const fresh =
  existsSync(built) && statSync(built).mtimeMs >= Math.max(newest(join(root, "src")), newest(join(root, "gen")));
if (fresh) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/index.ts", import.meta.url).href);
}
