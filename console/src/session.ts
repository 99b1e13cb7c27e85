/**
 * The signed-in session — the token and the API endpoint it was accepted by — lives in
 * `sessionStorage`: it survives a reload of this tab, and is gone when the tab closes. It is never
 * written to `localStorage`, a cookie or the URL.
 */
const TOKEN = "kms-console-token";
const ENDPOINT = "kms-console-endpoint";

export interface Session {
  token: string;
  /** The API's origin, e.g. `https://kms.example.com`; this page's own origin by default. */
  endpoint: string;
}

/** The stored session, or undefined when signed out (or when what is stored is not usable). */
export function loadSession(): Session | undefined {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return undefined;
  const endpoint = parseEndpoint(sessionStorage.getItem(ENDPOINT) ?? location.origin);
  return endpoint ? { token, endpoint } : undefined;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(TOKEN, session.token);
  sessionStorage.setItem(ENDPOINT, session.endpoint);
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(ENDPOINT);
}

/**
 * `value` as an origin (`http(s)://host[:port]`, lower-case host, no default port), or undefined
 * when it is anything else: another scheme, credentials, a path other than a bare `/`, a query or
 * a fragment.
 */
export function parseEndpoint(value: string): string | undefined {
  const text = value.trim();
  if (!/^https?:\/\/[^/?#@\s]+\/?$/i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username || url.password || url.pathname !== "/" || url.search || url.hash) return undefined;
  return url.origin;
}
