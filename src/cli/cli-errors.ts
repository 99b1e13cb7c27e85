import { constants } from "node:os";

/**
 * A file argument that cannot work (`-o` into a missing directory, `-i f -o f`): printed as one
 * line naming the option, exit 1, before any byte is read or written.
 */
export class FileProblem extends Error {
  override readonly name = "FileProblem";
}

/** The signals that end a transfer early. */
export type StopSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

/** What ended a transfer early: a signal, reported by the caller as one line. */
export class Interrupted extends Error {
  override readonly name = "Interrupted";
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}; no partial output was kept`);
  }
  /** 128 + the signal's number, as a shell reports a process killed by it. */
  get exitCode(): number {
    return 128 + constants.signals[this.signal];
  }
}
