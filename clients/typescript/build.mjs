// Compiles the typed client (src/client and the gen/ files it imports) to ESM JavaScript with
// .d.ts beside it, so plain Node, bundlers and TypeScript consumers need no loader. Runs on
// `npm pack` (prepack) with the repository's own TypeScript compiler.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const here = import.meta.dirname;
const tsc = join(
  dirname(createRequire(join(here, "../../package.json")).resolve("typescript/package.json")),
  "bin/tsc",
);
rmSync(join(here, "dist"), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json")], { stdio: "inherit" });
