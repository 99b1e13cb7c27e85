import { cors } from "@connectrpc/connect";
import type { ServingState } from "./edge/serving-state.js";
import type { Metrics } from "./edge/metrics.js";
import type { Authenticate } from "./edge/pipeline.js";
import { assignRequestId } from "./edge/request-id.js";
import type { Handler, HttpRequest, HttpResponse } from "./edge/http.js";

export interface HttpAppOptions {
  /** The connect-node adapter: gRPC, gRPC-Web and Connect for the kms.v1 services, health, reflection. */
  connect: Handler;
  /** The AWS JSON 1.1 endpoint (`POST /` with `X-Amz-Target`), when mounted. */
  aws?: Handler | undefined;
  /** The Alibaba KMS-instance endpoint (`POST /` with `x-kms-apiversion`), when mounted. */
  alibaba?: Handler | undefined;
  serving: ServingState;
  metrics: Metrics;
  /** `/metrics` needs a principal's bearer token, like everything but health and reflection. */
  authenticate: Authenticate;
  /** The web console's static files under `/console/`, when `KMS_CONSOLE` is on. */
  console?: Handler | undefined;
  /** Origins allowed to call from a browser; `*` allows any. */
  corsOrigins: readonly string[];
}

/**
 * Routes every request on the one port. A request id is fixed first — the caller's
 * `x-request-id` when it is well formed, else a new UUID — and set on the response before any
 * surface writes, so every response and error carries it; surfaces read it with `requestIdOf`.
 */
export function createHttpApp(opts: HttpAppOptions): Handler {
  const exposed = [...cors.exposedHeaders, "x-request-id"].join(", ");
  const allowedHeaders = [...cors.allowedHeaders, "authorization", "x-request-id"].join(", ");
  return (req: HttpRequest, res: HttpResponse) => {
    res.setHeader("x-request-id", assignRequestId(req));

    const origin = req.headers.origin;
    if (typeof origin === "string" && allowOrigin(opts.corsOrigins, origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "origin");
      res.setHeader("access-control-expose-headers", exposed);
      if (req.method === "OPTIONS") {
        res.setHeader("access-control-allow-methods", cors.allowedMethods.join(", "));
        res.setHeader("access-control-allow-headers", allowedHeaders);
        res.setHeader("access-control-max-age", "7200");
        res.writeHead(204);
        res.end();
        return;
      }
    }

    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      const ok = opts.serving.status === "SERVING";
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: opts.serving.status }));
      return;
    }
    if (req.method === "GET" && path === "/metrics") {
      void serveMetrics(opts, req, res);
      return;
    }
    if (opts.console && (path === "/console" || path?.startsWith("/console/"))) {
      opts.console(req, res);
      return;
    }
    if (opts.aws && req.method === "POST" && path === "/" && req.headers["x-amz-target"] !== undefined) {
      opts.aws(req, res);
      return;
    }
    if (opts.alibaba && req.method === "POST" && path === "/" && req.headers["x-kms-apiversion"] !== undefined) {
      opts.alibaba(req, res);
      return;
    }
    opts.connect(req, res);
  };
}

function allowOrigin(allowed: readonly string[], origin: string): boolean {
  return allowed.includes("*") || allowed.includes(origin);
}

async function serveMetrics(opts: HttpAppOptions, req: HttpRequest, res: HttpResponse): Promise<void> {
  const headers = new Headers();
  const auth = req.headers.authorization;
  if (typeof auth === "string") headers.set("authorization", auth);
  try {
    await opts.authenticate({
      service: "metrics",
      method: "Get",
      requestId: "",
      headers,
      signal: new AbortController().signal,
    });
  } catch {
    res.writeHead(401, { "content-type": "text/plain", "www-authenticate": "Bearer" });
    res.end("A valid bearer token is required.\n");
    return;
  }
  const text = await opts.metrics.registry.metrics();
  res.writeHead(200, { "content-type": opts.metrics.registry.contentType });
  res.end(text);
}
