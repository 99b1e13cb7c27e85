/** A stream the CLI prints to; `isTTY` decides whether it may use colour. */
export interface Printable {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/**
 * Whether `stream` may carry ANSI colour: only a terminal, and never with `NO_COLOR` set
 * (https://no-color.org) or `TERM=dumb`. Pipes, files and CI logs get plain text, so a script
 * that greps the CLI's output never meets escape codes.
 */
export function colourOn(stream: Printable, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}

const CODES = { red: 31, yellow: 33, bold: 1, dim: 2 } as const;

/** `text` wrapped in the SGR code of `style` when colour is on; `text` unchanged otherwise. */
export function paint(on: boolean, style: keyof typeof CODES, text: string): string {
  return on ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

/**
 * The CLI's one way to report a failure: one line on stderr, `kms: ` then the message, the
 * prefix in red on a terminal. A command prints its failure once, through this, and returns
 * its exit status; it never logs the same failure as JSON as well (the server's log is JSON,
 * a person's terminal is not).
 */
export function printError(stderr: Printable, env: NodeJS.ProcessEnv, message: string): void {
  stderr.write(`${paint(colourOn(stderr, env), "red", "kms:")} ${message}\n`);
}
