import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const MODULE = pathToFileURL(resolve(import.meta.dirname, "../../../src/telemetry/log-destination.ts")).href;

interface Run {
  status: number | null;
  /** stdout as the pipe delivered it. */
  stdout: string;
  /** When each stdout line arrived, in ms since the child started. */
  arrivals: number[];
  /** Every write(2) the destination made to fd 1, as the child recorded it (stderr, at exit). */
  writes: { bytes: number; endsWithNewline: boolean }[];
}

/**
 * Runs `body` in a fresh Node.js process with `logger` = pino on `batchedStdout()` and stdout a
 * pipe, as under a log shipper or a cluster's shared stdout. The child counts the destination's
 * writes by wrapping `fs.writeSync`, the call sonic-boom writes with in sync mode.
 */
function runChild(body: string): Promise<Run> {
  const script = `
    import fs from "node:fs";
    const writes = [];
    const writeSync = fs.writeSync;
    fs.writeSync = (fd, data, ...rest) => {
      if (fd === 1) {
        const text = Buffer.isBuffer(data) ? data.toString("utf8") : String(data);
        if (text.length > 0) writes.push({ bytes: Buffer.byteLength(text), endsWithNewline: text.endsWith("\\n") });
      }
      return writeSync(fd, data, ...rest);
    };
    process.on("exit", () => process.stderr.write("WRITES " + JSON.stringify(writes) + "\\n"));
    const { pino } = await import("pino");
    const { batchedStdout } = await import(${JSON.stringify(MODULE)});
    const logger = pino({ level: "info" }, batchedStdout());
    ${body}
  `;
  return new Promise((done, fail) => {
    const started = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const arrivals: number[] = [];
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      for (const c of chunk) if (c === "\n") arrivals.push(Date.now() - started);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", fail);
    child.on("close", (status) => {
      const line = stderr.split("\n").find((l) => l.startsWith("WRITES "));
      if (!line) return fail(new Error(`the child reported no writes; stderr: ${stderr}`));
      done({ status, stdout, arrivals, writes: JSON.parse(line.slice("WRITES ".length)) });
    });
  });
}

const messages = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { msg: string }).msg);

describe("batchedStdout", () => {
  it("writes many lines in few whole-line writes of at most PIPE_BUF, in order, all of them", async () => {
    const run = await runChild(
      `for (let i = 0; i < 3000; i++) logger.info({ reqId: "r-" + i, rpc: "kms.v1.DataKeyService/GenerateDataKey" }, "line " + i);`,
    );
    expect(run.status).toBe(0);
    expect(messages(run.stdout)).toEqual(Array.from({ length: 3000 }, (_, i) => `line ${i}`));
    // One write per line before; batches now (each ≈ 2 KiB of ≈ 130-byte lines).
    expect(run.writes.length).toBeLessThan(3000 / 10);
    expect(run.writes.every((w) => w.endsWithNewline)).toBe(true);
    expect(Math.max(...run.writes.map((w) => w.bytes))).toBeLessThanOrEqual(4096);
  });

  it("writes a lone line on a quiet server within its flush period, without waiting for exit", async () => {
    const run = await runChild(`logger.info("alone"); setTimeout(() => {}, 3000);`);
    expect(run.status).toBe(0);
    expect(messages(run.stdout)).toEqual(["alone"]);
    // The child lived 3 s; the line came at the first periodic flush (100 ms), not at exit.
    expect(run.arrivals[0]).toBeLessThan(2000);
  });

  it("writes the lines still batched when the process dies of an uncaught exception", async () => {
    const run = await runChild(`logger.info("before"); logger.error("last words"); throw new Error("boom");`);
    expect(run.status).toBe(1);
    expect(messages(run.stdout)).toEqual(["before", "last words"]);
  });
});
