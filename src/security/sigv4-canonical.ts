/**
 * The canonical request of AWS Signature Version 4, built exactly as the signer builds it
 * (AWS General Reference, "Create a canonical request for Signature Version 4";
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). Any difference
 * from the client's own construction makes a genuine request fail, so each rule below follows the
 * spec and, where the spec is loose, what `@smithy/signature-v4` (the AWS SDK for JavaScript) does.
 */

/** Header values as Node hands them over (`IncomingMessage.headers`, `Http2ServerRequest.headers`). */
export type HeaderMap = Record<string, string | string[] | undefined>;

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/**
 * URI-encodes a string the AWS way: every byte except the RFC 3986 unreserved characters
 * (`A-Z a-z 0-9 - _ . ~`) becomes `%XX` with upper-case hex. Unlike `encodeURIComponent`, this
 * also encodes `! ' ( ) *`.
 */
export function awsUriEncode(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * The canonical URI for every service but S3: the path as it came over the wire (already
 * percent-encoded once by the client), normalised (empty, `.` and `..` segments resolved, per RFC
 * 3986 §6.2.2.3) and URI-encoded again, slashes kept. AWS calls this "encoded twice"; KMS always
 * uses `/`, but any path must verify as the SDK signed it.
 */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const leading = path.startsWith("/") ? "/" : "";
  const trailing = segments.length > 0 && path.endsWith("/") ? "/" : "";
  const normalised = `${leading}${segments.join("/")}${trailing}`;
  return normalised === "" ? "/" : awsUriEncode(normalised).replace(/%2F/g, "/");
}

function decodeComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The canonical query string: each `name=value` pair decoded, then AWS-URI-encoded, sorted by
 * name and then value (byte order — the encoded form is ASCII), joined with `&`. A name without
 * `=` has an empty value. `+` stays a literal plus (SigV4 does not use form encoding).
 */
export function canonicalQuery(query: string): string {
  const raw = query.startsWith("?") ? query.slice(1) : query;
  if (raw === "") return "";
  const pairs: [string, string][] = [];
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    pairs.push([awsUriEncode(decodeComponent(name)), awsUriEncode(decodeComponent(value))]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

/**
 * Lower-cases header names, merging names that differ only in case. An array (repeated header)
 * is joined with `,`, as the spec joins repeated headers. Note that Node itself joins most repeated
 * headers with `, ` in `req.headers`, so a request that repeats a signed header verifies only if
 * the caller passes the values as an array (e.g. built from `req.rawHeaders`); SDKs never do this.
 */
export function lowerCaseHeaders(headers: HeaderMap): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(",") : value;
    const key = name.toLowerCase();
    const prior = out.get(key);
    out.set(key, prior === undefined ? joined : `${prior},${joined}`);
  }
  return out;
}

/** Trims a header value and collapses runs of whitespace to one space (the spec's "Trimall"). */
export function trimAll(value: string): string {
  return value.trim().replace(/\s+/g, " ");
}

/** The parts of a request the canonical request covers. */
export interface CanonicalParts {
  method: string;
  path: string;
  query: string;
  /** Lower-cased names (see {@link lowerCaseHeaders}); must hold every signed header. */
  headers: Map<string, string>;
  /** The `SignedHeaders` list as the client sent it. */
  signedHeaders: string[];
  /** Hex SHA-256 of the payload (or the `x-amz-content-sha256` value that equals it). */
  payloadHash: string;
}

/**
 * `Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload`,
 * each canonical header being `name:trimmed-value\n`, in the signed-headers order.
 */
export function canonicalRequest(parts: CanonicalParts): string {
  const headerLines = parts.signedHeaders.map((name) => `${name}:${trimAll(parts.headers.get(name) ?? "")}\n`);
  return [
    parts.method.toUpperCase(),
    canonicalUri(parts.path),
    canonicalQuery(parts.query),
    headerLines.join(""),
    parts.signedHeaders.join(";"),
    parts.payloadHash,
  ].join("\n");
}
