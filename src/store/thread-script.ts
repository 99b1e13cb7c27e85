import { createRequire } from "node:module";
import { extname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a worker thread on the module `name` beside `nextTo` (an `import.meta.url`), with the
 * caller's extension: `.ts` when running from source (under tsx or vitest), `.js` from `dist/`.
 *
 * The thread's entry is a one-line script that imports the module. From source it first
 * registers tsx through its API, as `bin/kms.mjs` does on the main thread: loader hooks of the
 * main thread (or vitest's transform) do not reach a thread, and tsx's default export is a
 * `--loader`, which `--import` in a thread's `execArgv` does not install.
 */
export function startThread(nextTo: string, name: string, options: Omit<WorkerOptions, "eval">): Worker {
  const ext = extname(fileURLToPath(nextTo));
  const module = new URL(`./${name}${ext}`, nextTo).href;
  const load = `import(${JSON.stringify(module)})`;
  const source =
    ext === ".ts" ? `import(${JSON.stringify(tsxApi())}).then((tsx) => tsx.register()).then(() => ${load})` : load;
  return new Worker(source, { ...options, eval: true });
}

function tsxApi(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href;
}
