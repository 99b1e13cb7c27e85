import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The web console: plain TypeScript and DOM, built into `dist/console` and served by the kms
 * server at `/console/` (`src/console-static.ts`). No inline scripts are emitted, so the server's
 * `script-src 'self'` policy holds.
 */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/console", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
