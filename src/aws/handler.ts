import type http from "node:http";
import type { Logger } from "pino";
import type { CallInfo, Pipeline } from "../edge/pipeline.js";
import type { CoreDeps } from "../core/deps.js";
import { type AwsErrorReply, AwsProtocolError, awsErrorOf } from "./errors.js";
import { type JsonObject, Members, parseBody } from "./json.js";
import { lookupOperation } from "./operations/index.js";
import { onClientGone } from "../edge/client-gone.js";
import { requestAborted } from "../edge/request-aborted.js";
import { requestIdOf } from "../edge/request-id.js";
import { nodeHeadersToWeb } from "../edge/web-headers.js";
import type { Handler, HttpRequest, HttpResponse } from "../edge/http.js";

export interface AwsHandlerOptions {
  deps: CoreDeps;
  pipeline: Pipeline;
  logger: Logger;
  /** Largest accepted request body; AWS KMS requests are small (a 4 KiB plaintext, base64'd). */
  maxBodyBytes?: number;
}

/** AWS JSON 1.1 content types; plain JSON too, for hand-written clients (curl). */
const CONTENT_TYPES = new Set(["application/x-amz-json-1.1", "application/json"]);
const SERVICE = "TrentService";
const RESPONSE_TYPE = "application/x-amz-json-1.1";

/**
 * The AWS KMS endpoint: `POST /` with `X-Amz-Target: TrentService.<Operation>` and an AWS JSON 1.1
 * body, as the AWS SDKs, the AWS CLI and the AWS Encryption SDK send it.
 *
 * The operation comes only from the explicit table in `operations/index.ts`; an unknown target is
 * answered before any call starts, so a client-chosen name never becomes a metrics label.
 * Everything else runs through the {@link Pipeline} (authentication seam, request-id logging,
 * metrics, unknown errors → `KMSInternalException`) under `service: "TrentService"`.
 *
 * Credentials: the AWS SDKs sign every request with SigV4. The raw body is read in full before the
 * call starts and handed, with the method, path, query and headers exactly as received, to the
 * pipeline's authentication, which verifies the signature (`src/edge/authentication.ts`).
 */
export function createAwsHandler(opts: AwsHandlerOptions): Handler {
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  return (req, res) => {
    handle(opts, maxBody, req, res).catch((err: unknown) => {
      if (requestAborted(req)) {
        opts.logger.debug({ err }, "request aborted before its body was complete");
        res.destroy();
        return;
      }
      opts.logger.error({ err }, "aws handler failed");
      if (!res.headersSent) reply(res, requestIdOf(req), 500, errorBody(awsErrorOf(err)));
      else res.destroy();
    });
  };
}

async function handle(opts: AwsHandlerOptions, maxBody: number, req: HttpRequest, res: HttpResponse): Promise<void> {
  const requestId = requestIdOf(req);
  const target = header(req, "x-amz-target") ?? "";
  const name = target.startsWith(`${SERVICE}.`) ? target.slice(SERVICE.length + 1) : "";
  const operation = lookupOperation(name);
  if (!operation) {
    req.resume();
    const shown = target.slice(0, 128);
    sendError(res, requestId, {
      status: 400,
      type: "UnknownOperationException",
      message: `Unknown operation ${shown}`,
    });
    return;
  }
  const body = await readBody(req, maxBody);
  if (body === "too-large") {
    sendError(res, requestId, {
      status: 413,
      type: "SerializationException",
      message: `The request body is larger than ${maxBody} bytes.`,
    });
    return;
  }

  const controller = new AbortController();
  onClientGone(req, res, () => controller.abort());
  const info: CallInfo = {
    service: SERVICE,
    method: name,
    requestId,
    headers: nodeHeadersToWeb(req.headers),
    signal: controller.signal,
    sigv4: { method: req.method ?? "", path: pathOf(req.url), query: queryOf(req.url), headers: req.headers, body },
  };
  try {
    const out = await opts.pipeline.run(info, async (call) => {
      checkContentType(header(req, "content-type"));
      const run = operation(new Members(parseBody(body)));
      return run({ deps: opts.deps, call });
    });
    reply(res, requestId, 200, out);
  } catch (err) {
    sendError(res, requestId, awsErrorOf(err));
  }
}

function pathOf(url: string | undefined): string {
  const q = (url ?? "/").indexOf("?");
  return q < 0 ? (url ?? "/") : (url ?? "/").slice(0, q);
}

function queryOf(url: string | undefined): string {
  const q = (url ?? "").indexOf("?");
  return q < 0 ? "" : (url ?? "").slice(q + 1);
}

function checkContentType(value: string | undefined): void {
  const type = (value ?? "").split(";")[0]!.trim().toLowerCase();
  if (!CONTENT_TYPES.has(type)) {
    throw new AwsProtocolError("SerializationException", "Content-Type must be application/x-amz-json-1.1.");
  }
}

/** Reads the whole body, but keeps at most `max` bytes in memory. */
async function readBody(req: HttpRequest, max: number): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  return size > max ? "too-large" : Buffer.concat(chunks);
}

function sendError(res: HttpResponse, requestId: string, e: AwsErrorReply): void {
  reply(res, requestId, e.status, errorBody(e), e.type);
}

function errorBody(e: AwsErrorReply): JsonObject {
  return { __type: e.type, message: e.message };
}

/** Writes a JSON reply with AWS's request-id (and, for errors, error-type) headers. */
function reply(res: HttpResponse, requestId: string, status: number, body: JsonObject, errorType?: string): void {
  const text = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = {
    "content-type": RESPONSE_TYPE,
    "content-length": text.length,
    "x-amzn-RequestId": requestId,
  };
  if (errorType) headers["x-amzn-ErrorType"] = errorType;
  (res as http.ServerResponse).writeHead(status, headers);
  res.end(text);
}

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
