/**
 * Matches `value` against an IAM-style pattern where `*` stands for any run of characters
 * (empty included) and `?` for exactly one; everything else is literal. Used for `Action`
 * (`kms:Generate*`) and `StringLike` conditions.
 *
 * A greedy two-pointer match that backtracks only to the last `*`: O(pattern × value) at worst,
 * never exponential, unlike a regular expression built from a caller's pattern (`a*a*a*…b`), so a
 * hostile policy cannot stall the event loop.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const c = pattern[p];
    if (c === "*") {
      star = p++;
      resume = v;
    } else if (c !== undefined && (c === "?" || c === value[v])) {
      p++;
      v++;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}
