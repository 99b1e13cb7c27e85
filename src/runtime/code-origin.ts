import { resolve, sep } from "node:path";

/**
 * Which code this process runs: the TypeScript sources under tsx (`src/`), or the compiled build
 * (`dist/src/`, `npm run build`) that `bin/kms.mjs` prefers when it is at least as new as the
 * sources. Logged with "kms listening", so an operator can tell which one is serving.
 */
export const CODE: "sources" | "compiled" = import.meta.dirname.endsWith(`${sep}dist${sep}src${sep}runtime`)
  ? "compiled"
  : "sources";

/** The repository (or installed package) root, the same from `src/` and from `dist/src/`. */
export const PACKAGE_ROOT = resolve(import.meta.dirname, CODE === "compiled" ? "../../.." : "../..");
