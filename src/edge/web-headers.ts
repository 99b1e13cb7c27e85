import type { IncomingHttpHeaders } from "node:http";
import type { IncomingHttpHeaders as IncomingHttp2Headers } from "node:http2";

/**
 * Node's request headers as web `Headers`, which the pipeline and connect-node read. HTTP/2
 * pseudo-headers (`:path`, …) are not headers and are left out; a value `Headers` cannot hold is
 * dropped (Node's parsers refuse such values before this runs; nothing downstream needs one).
 */
export function nodeHeadersToWeb(headers: IncomingHttpHeaders | IncomingHttp2Headers): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [String(value)]) {
      try {
        out.append(name, one);
      } catch {
        // See above: dropped.
      }
    }
  }
  return out;
}
