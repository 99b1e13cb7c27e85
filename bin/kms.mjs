#!/usr/bin/env node
// The `kms` command. Runs the compiled build when there is one, else the TypeScript sources
// through tsx (the worker pool adds tsx to its threads in the same way).
import { existsSync } from "node:fs";

const built = new URL("../dist/src/cli/index.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli/index.ts", import.meta.url).href);
}
