import { readFile, realpath, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { PACKAGE_ROOT } from "./runtime/code-origin.js";
import { normalizeOrigin } from "./config.js";
import type { Handler, HttpRequest, HttpResponse } from "./edge/http.js";

/** Where `npm run build:console` (Vite, `console/vite.config.ts`) writes the console. */
export const CONSOLE_DIST = resolve(PACKAGE_ROOT, "dist/console");

const PREFIX = "/console/";

/**
 * The headers sent with every console response. The console talks to its own origin and to the
 * operator's `apiOrigins` only (`connect-src 'self' …`, from `KMS_CONSOLE_API_ORIGINS`): whatever
 * API endpoint is typed into its sign-in form, a token can never be sent to any other origin. The
 * page cannot be framed (clickjacking). Vite emits no inline script; inline styles stay allowed
 * for the DOM's own `style` attributes.
 *
 * @throws Error when an entry of `apiOrigins` is not exactly an http(s) origin (it would
 * otherwise be written into the policy as is).
 */
export function consoleSecurityHeaders(apiOrigins: readonly string[] = []) {
  const origins = apiOrigins.map((o) => {
    const origin = normalizeOrigin(o);
    if (!origin) throw new Error(`not an http(s) origin: ${JSON.stringify(o)}`);
    return origin;
  });
  const connect = ["'self'", ...new Set(origins)].join(" ");
  return {
    "content-security-policy":
      `default-src 'self'; connect-src ${connect}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; ` +
      "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  } as const;
}

type SecurityHeaders = ReturnType<typeof consoleSecurityHeaders>;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Vite puts content-hashed files under `assets/`: their bytes never change, so they cache for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";

export interface ConsoleStaticOptions {
  /** The built console directory (absolute). */
  root: string;
  /** Origins besides its own that the console may call (`connect-src`); see {@link consoleSecurityHeaders}. */
  apiOrigins?: readonly string[] | undefined;
}

/**
 * Serves the built web console under `/console/`: only regular files inside `root`, `index.html`
 * for `/console/` and for extension-less sub-paths (the console routes in the page), 404 for a
 * missing file with an extension, and 503 naming the build command when the console was never
 * built.
 *
 * Path traversal is refused twice: a path whose decoded segments include `.` or `..`, a
 * backslash or a NUL is rejected before touching the file system (`%2e%2e`, `%2f` and `%5c` are
 * decoded first), and the resolved real path must still lie under `root` (a symlink cannot lead
 * out).
 */
export function createConsoleHandler(opts: ConsoleStaticOptions): Handler {
  const root = resolve(opts.root);
  const headers = consoleSecurityHeaders(opts.apiOrigins);
  return (req, res) => {
    void serve(root, headers, req, res).catch(() => {
      if (!res.headersSent) send(res, headers, 500, "text/plain; charset=utf-8", "The console could not be served.\n");
      else res.end();
    });
  };
}

async function serve(root: string, headers: SecurityHeaders, req: HttpRequest, res: HttpResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return send(res, headers, 405, "text/plain; charset=utf-8", "Method not allowed.\n");
  }
  if (path === "/console") {
    res.writeHead(308, { location: PREFIX, ...headers });
    res.end();
    return;
  }
  const relative = safeRelativePath(path.slice(PREFIX.length));
  if (relative === undefined) return send(res, headers, 400, "text/plain; charset=utf-8", "Bad path.\n");

  const realRoot = await realpath(root).catch(() => undefined);
  const index = realRoot && (await regularFile(resolve(realRoot, "index.html"), realRoot));
  if (!realRoot || !index) {
    return send(
      res,
      headers,
      503,
      "text/plain; charset=utf-8",
      "The web console is not built: run `npm run build:console`.\n",
    );
  }
  const file = relative === "" ? index : await regularFile(resolve(realRoot, relative), realRoot);
  if (file) return sendFile(req, res, headers, file, relative.startsWith("assets/") ? IMMUTABLE : "no-cache");
  if (extname(relative) !== "") return send(res, headers, 404, "text/plain; charset=utf-8", "Not found.\n");
  return sendFile(req, res, headers, index, "no-cache");
}

/**
 * The request path below `/console/`, decoded, or undefined when it could name anything outside
 * the console: a `.`/`..` segment, an empty segment, a backslash, a NUL, or bad percent-encoding.
 */
export function safeRelativePath(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded === "") return "";
  if (decoded.includes("\\") || decoded.includes("\0")) return undefined;
  const segments = decoded.split("/");
  const last = segments.length - 1;
  for (const [i, segment] of segments.entries()) {
    if (segment === "." || segment === "..") return undefined;
    if (segment === "" && i !== last) return undefined;
  }
  return decoded;
}

/** The real path of `candidate` when it is a regular file under `root`, else undefined. */
async function regularFile(candidate: string, root: string): Promise<string | undefined> {
  if (!within(candidate, root)) return undefined;
  try {
    const real = await realpath(candidate);
    if (!within(real, root)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

function within(path: string, root: string): boolean {
  return path.startsWith(root + sep);
}

async function sendFile(
  req: HttpRequest,
  res: HttpResponse,
  headers: SecurityHeaders,
  file: string,
  cacheControl: string,
): Promise<void> {
  const body = await readFile(file);
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": String(body.length),
    "cache-control": cacheControl,
    ...headers,
  });
  if (req.method === "HEAD") res.end();
  else res.end(body);
}

function send(res: HttpResponse, headers: SecurityHeaders, status: number, contentType: string, text: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store", ...headers });
  res.end(text);
}
