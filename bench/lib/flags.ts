/**
 * A positive integer flag of a bench script: anything else ends the run with exit code 2 and
 * a line naming the flag, before a server is started.
 */
export function positiveInteger(flags: Record<string, unknown>, name: string): number {
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, got ${String(flags[name])}`);
    process.exit(2);
  }
  return n;
}
