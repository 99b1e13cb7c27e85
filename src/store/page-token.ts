import { KmsError } from "../domain/errors.js";
import type { Page } from "../domain/types.js";

/**
 * Page tokens are opaque to callers: base64url of a small JSON cursor holding the last row's
 * sort key (keyset paging, so a page never skips or repeats rows when others are inserted).
 * Each listing tags its cursor with a kind, so a token from one listing is refused by another.
 */
export interface KeyCursor {
  k: "key";
  /** created_at (epoch ms) of the last key returned. */
  t: number;
  i: string;
}

export interface VersionCursor {
  k: "version";
  t: number;
  v: string;
}

export interface AliasCursor {
  k: "alias";
  n: string;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,1024}$/;

function invalidToken(): KmsError {
  return new KmsError("InvalidArgument", "The page token is invalid.");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isEpochMs(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

export function isKeyCursor(v: unknown): v is KeyCursor {
  return isRecord(v) && v.k === "key" && isEpochMs(v.t) && typeof v.i === "string";
}

export function isVersionCursor(v: unknown): v is VersionCursor {
  return isRecord(v) && v.k === "version" && isEpochMs(v.t) && typeof v.v === "string";
}

export function isAliasCursor(v: unknown): v is AliasCursor {
  return isRecord(v) && v.k === "alias" && typeof v.n === "string";
}

export function encodePageToken(cursor: KeyCursor | VersionCursor | AliasCursor): string {
  return Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
}

/**
 * Decodes a token and checks its shape. Node's base64 decoder skips characters it does not know,
 * so the alphabet is checked first; anything malformed is `InvalidArgument`, never `Internal`.
 */
export function decodePageToken<T>(token: string, isValid: (value: unknown) => value is T): T {
  if (!TOKEN_PATTERN.test(token)) throw invalidToken();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidToken();
  }
  if (!isValid(value)) throw invalidToken();
  return value;
}

/** Page sizes come from callers through core; the store still refuses nonsense rather than scan. */
export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new KmsError("InvalidArgument", "The page size is invalid.");
  }
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only proves that more exist, so
 * `nextToken` is null exactly when the listing is complete.
 */
export function toPage<T>(rows: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, nextToken: null };
  const items = rows.slice(0, limit);
  return { items, nextToken: cursorOf(items[limit - 1]!) };
}
