/**
 * Reads every page of a paged listing: `page(token)` returns one page's items and the next token
 * ("" on the last page). Stops at `max` items, so a huge listing cannot hang the page.
 */
export async function listAll<T>(
  page: (pageToken: string) => Promise<readonly [T[], string]>,
  max = 100_000,
): Promise<T[]> {
  const out: T[] = [];
  let token = "";
  do {
    const [items, next] = await page(token);
    out.push(...items);
    token = next;
  } while (token && out.length < max);
  return out;
}
