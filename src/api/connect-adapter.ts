import { Code, ConnectError, type ConnectRouter, type ContextValues, createConnectRouter } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import {
  createAsyncIterable,
  type UniversalHandler,
  type UniversalServerRequest,
  type UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import type { Logger } from "pino";
import { KmsError, toKmsError } from "../domain/errors.js";
import type { Handler, HttpRequest } from "../edge/http.js";
import { requestAborted } from "../edge/request-aborted.js";
import { toConnectError } from "./connect-errors.js";
import { universalRequest } from "./connect-request.js";
import { bodyShape, checkGetMessage, checkedBody } from "./request-body.js";

export interface ConnectAdapterOptions {
  routes: (router: ConnectRouter) => void;
  /** The largest request message, before and after decompression. */
  readMaxBytes: number;
  contextValues: (req: HttpRequest) => ContextValues;
  /** Where a call that failed before its answer was written is logged (never request contents). */
  logger: Logger;
}

/**
 * connect-node's `connectNodeAdapter`, with every request message checked strictly before
 * connect-node decodes it (`request-body.ts`): unknown JSON fields and enum names, malformed
 * protobuf, bad frames and a `__proto__` map key are `invalid_argument` in the request's own
 * protocol — where connect-node alone would ignore the first two and answer the rest `internal`.
 * connect-node's own JSON reader is made strict as well (`ignoreUnknownFields: false`).
 */
export function createConnectAdapter(opts: ConnectAdapterOptions): Handler {
  const router = createConnectRouter({
    readMaxBytes: opts.readMaxBytes,
    acceptCompression: [compressionGzip, compressionBrotli],
    jsonOptions: { ignoreUnknownFields: false },
  });
  opts.routes(router);
  const paths = new Map<string, UniversalHandler>();
  for (const handler of router.handlers) paths.set(handler.requestPath, handler);

  return (req, res) => {
    const handler = paths.get((req.url ?? "").split("?", 2)[0] ?? "");
    if (!handler) {
      res.writeHead(404);
      res.end();
      return;
    }
    const rpc = `${handler.service.typeName}/${handler.method.name}`;
    const uReq = universalRequest(req, res, opts.contextValues(req));
    serve(handler, uReq, opts.readMaxBytes)
      .then((uRes) => universalResponseToNodeResponse(uRes, res))
      .catch((err: unknown) => {
        // A client that went away or was timed out mid-body is its own failure, not ours.
        if (ConnectError.from(err).code === Code.Aborted || requestAborted(req)) {
          opts.logger.debug({ err, rpc }, "request aborted before its answer was written");
        } else {
          opts.logger.error({ err, rpc }, "call failed before its answer was written");
        }
      });
  };
}

async function serve(
  handler: UniversalHandler,
  uReq: UniversalServerRequest,
  readMaxBytes: number,
): Promise<UniversalServerResponse> {
  if (uReq.method === "GET") {
    try {
      checkGetMessage(handler.method, uReq.url);
    } catch (err) {
      return connectErrorResponse(asConnectError(err));
    }
    return handler(uReq);
  }
  const shape = bodyShape(uReq.header);
  const body = uReq.body;
  if (shape === undefined || !isByteStream(body)) return handler(uReq);
  return handler({ ...uReq, body: connectErrors(checkedBody(body, handler.method, shape, readMaxBytes)) });
}

function isByteStream(body: UniversalServerRequest["body"]): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

/** A KmsError thrown while connect-node reads the body must reach it as a ConnectError with its ErrorInfo. */
async function* connectErrors(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  try {
    yield* body;
  } catch (err) {
    throw asConnectError(err);
  }
}

function asConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  return toConnectError(err instanceof KmsError ? err : toKmsError(err));
}

/** A Connect unary error response (connectrpc.com/docs/protocol#error-end-stream). */
function connectErrorResponse(err: ConnectError): UniversalServerResponse {
  return {
    status: codeToHttpStatus(err.code),
    header: new Headers({ "content-type": "application/json" }),
    body: createAsyncIterable([errorToJsonBytes(err, {})]),
  };
}
