/** A thrown value's `code`: a `KmsError`'s, or a driver's (a PostgreSQL SQLSTATE); else "no code". */
const code = (err: unknown) => {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : "no code";
};

/**
 * The error code of an outcome, for asserting codes rather than messages: of a promise (`"OK"`
 * when it resolves), of a function (`"OK"` when it returns), or of a value already caught.
 * Anything thrown without a string `code` reads `"no code"`, so no code assertion passes.
 */
export function codeOf(outcome: Promise<unknown>): Promise<string>;
export function codeOf(outcome: () => unknown): string;
export function codeOf(caught: unknown): string;
export function codeOf(outcome: unknown): string | Promise<string> {
  if (outcome instanceof Promise) return outcome.then(() => "OK", code);
  if (typeof outcome === "function") {
    try {
      outcome();
    } catch (err) {
      return code(err);
    }
    return "OK";
  }
  return code(outcome);
}
