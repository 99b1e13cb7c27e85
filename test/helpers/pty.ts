import { type ChildProcess, spawn } from "node:child_process";
import { KMS_BIN } from "./security.js";

/**
 * `kms` in a pseudo-terminal, as a person runs it: util-linux `script` (no native dependency)
 * gives the command a pty for stdin, stdout and stderr, so `isTTY` is true and the terminal's
 * line discipline is real — writing Ctrl-C (`\x03`) to it sends SIGINT to the command, as the key
 * does. What the terminal shows (stdout and stderr interleaved, CRLF line ends) is collected.
 */
export interface PtySession {
  child: ChildProcess;
  /** Types `text` at the terminal. */
  type(text: string): void;
  /** Everything the terminal has shown so far. */
  screen(): string;
  /** The command's exit status (`script -e` passes it through). */
  exited: Promise<number | null>;
}

/** A POSIX shell word: the arguments are passed through `script -c`'s shell. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Starts `kms …args` in a pty with `env` as its whole environment (plus PATH and HOME). */
export function kmsInPty(args: string[], opts: { cwd: string; env: Record<string, string> }): PtySession {
  const command = [process.execPath, KMS_BIN, ...args].map(quote).join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    cwd: opts.cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/",
      SHELL: "/bin/sh",
      TERM: "xterm",
      ...opts.env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let screen = "";
  child.stdout!.on("data", (d: Buffer) => {
    screen += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    screen += d.toString();
  });
  const exited = new Promise<number | null>((res, rej) => {
    child.once("error", rej);
    child.once("close", (code) => res(code));
  });
  return { child, type: (text) => child.stdin!.write(text), screen: () => screen, exited };
}

/** Runs `kms …args` in a pty to the end (stdin left open, as a terminal's is). */
export async function runInPty(
  args: string[],
  opts: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; screen: string }> {
  const session = kmsInPty(args, opts);
  const code = await session.exited;
  session.child.stdin!.destroy();
  return { code, screen: session.screen() };
}

/** The start of every ANSI colour escape (CSI). */
export const CSI = "\u001b[";
