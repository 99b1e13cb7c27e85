import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./server-process.js";

/** Debian's Chromium, which `.ci/run` installs; the browser tests drive it with playwright-core. */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless, no sandbox (containers), nothing that phones home or slows a shared machine. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Screenshots of the console land here; `.ci/run` keeps the folder (git ignores it). */
export const SCREENSHOTS = join(ROOT, "test-results", "console");

export const haveChromium = existsSync(CHROMIUM);
