import type http from "node:http";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Logger } from "pino";
import type { CallInfo, Pipeline } from "../edge/pipeline.js";
import type { CoreDeps } from "../core/deps.js";
import { KmsError } from "../domain/errors.js";
import { onClientGone } from "../edge/client-gone.js";
import { requestIdOf } from "../edge/request-id.js";
import type { Handler, HttpRequest, HttpResponse } from "../edge/http.js";
import { DkmsProtocolError, dkmsErrorOf, errorBody } from "./errors.js";
import { lookupOperation, NOT_OFFERED } from "./operations/index.js";

type Req = HttpRequest;
type Res = HttpResponse;

export interface DkmsHandlerOptions {
  deps: CoreDeps;
  pipeline: Pipeline;
  logger: Logger;
  /** Largest accepted request body: 3 MB, as the KMS instance accepts. */
  maxBodyBytes?: number;
}

/** The one API version the dkms-gcs SDKs send. */
export const API_VERSION = "dkms-gcs-0.2";
const CONTENT_TYPE = "application/x-protobuf";
const SERVICE = "dkms-gcs";

/** Response fields that hold secrets: zeroed once the response is serialised. */
const SECRET_FIELDS = ["Plaintext", "PrivateKeyPlaintext", "Random"] as const;

/**
 * The Alibaba Cloud KMS-instance endpoint (`POST /` with `x-kms-apiversion`), as the official
 * dkms-gcs SDKs call it: protobuf bodies of `third_party/proto/dkms_gcs/api.proto`, the operation
 * in `x-kms-apiname`, each request signed with a ClientKey (`client-key-auth.ts`). Errors are HTTP
 * statuses with a protobuf `Error` body (`errors.ts`).
 *
 * The version, the operation (from the explicit table), the size and the content type are checked
 * before any call starts; everything else runs through the {@link Pipeline} (authentication,
 * audit, metrics, unknown errors → `InternalFailure`) under `service: "dkms-gcs"`.
 */
export function createDkmsHandler(opts: DkmsHandlerOptions): Handler {
  const maxBody = opts.maxBodyBytes ?? 3 * 1024 * 1024;
  return (req, res) => {
    handle(opts, maxBody, req, res).catch((err: unknown) => {
      opts.logger.error({ err }, "dkms handler failed");
      if (!res.headersSent) send(res, requestIdOf(req), err);
      else res.destroy();
    });
  };
}

async function handle(opts: DkmsHandlerOptions, maxBody: number, req: Req, res: Res): Promise<void> {
  const requestId = requestIdOf(req);
  const refuse = (err: KmsError) => {
    req.resume();
    send(res, requestId, err);
  };
  const name = one(req, "x-kms-apiname") ?? "";
  const operation = lookupOperation(name);
  if (one(req, "x-kms-apiversion") !== API_VERSION) {
    return refuse(new DkmsProtocolError("InvalidApiVersion", `x-kms-apiversion must be ${API_VERSION}.`));
  }
  if (!operation) {
    const reason = Object.hasOwn(NOT_OFFERED, name) ? NOT_OFFERED[name]! : "x-kms-apiname names no operation.";
    return refuse(new DkmsProtocolError("InvalidApiName", reason));
  }
  if ((one(req, "content-type") ?? "").split(";")[0]!.trim().toLowerCase() !== CONTENT_TYPE) {
    return refuse(new DkmsProtocolError("InvalidContentType", `Content-Type must be ${CONTENT_TYPE}.`));
  }
  const body = await readCapped(req, maxBody);
  if (!body) {
    return refuse(new DkmsProtocolError("RequestEntityTooLarge", `The request body is larger than ${maxBody} bytes.`));
  }

  const controller = new AbortController();
  onClientGone(req, res, () => controller.abort());
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const info: CallInfo = {
    service: SERVICE,
    method: name,
    requestId,
    // The credentials travel in `clientKeySigned`; no bearer token or certificate applies here.
    headers: new Headers(),
    signal: controller.signal,
    clientKeySigned: {
      method: req.method ?? "",
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? "" : url.slice(q + 1),
      headers: req.headers,
      body,
    },
  };
  try {
    const out = await opts.pipeline.run(info, async (call) => {
      const message = parse(operation.request, body);
      const reply = await operation.run(message, { deps: opts.deps, call });
      try {
        return toBinary(operation.response, create(operation.response, reply));
      } finally {
        for (const field of SECRET_FIELDS) {
          const value = (reply as Record<string, unknown>)[field];
          if (value instanceof Uint8Array) value.fill(0);
        }
      }
    });
    reply(res, requestId, 200, out);
  } catch (err) {
    send(res, requestId, err);
  }
}

/**
 * Decodes a request message. A body that is not the operation's message, or that carries fields
 * the message does not have, is `InvalidParam`: unknown input is refused, not ignored.
 */
function parse<T extends Parameters<typeof fromBinary>[0]>(schema: T, body: Buffer) {
  let message: ReturnType<typeof fromBinary<T>>;
  try {
    message = fromBinary(schema, body);
  } catch {
    throw new KmsError("InvalidArgument", "The request body is not a valid protobuf message for this operation.");
  }
  if ((message as { $unknown?: unknown[] }).$unknown?.length) {
    throw new KmsError("InvalidArgument", "The request body has fields this operation does not define.");
  }
  return message;
}

/**
 * The body, or null when it is larger than `max`: a declared `content-length` over the limit is
 * refused before reading; an undeclared one stops being kept once past it.
 */
async function readCapped(req: Req, max: number): Promise<Buffer | null> {
  if (Number(one(req, "content-length") ?? 0) > max) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  return size <= max ? Buffer.concat(chunks) : null;
}

function send(res: Res, requestId: string, err: unknown): void {
  const e = dkmsErrorOf(err);
  reply(res, requestId, e.status, errorBody(e, requestId));
}

function reply(res: Res, requestId: string, status: number, body: Uint8Array): void {
  (res as http.ServerResponse).writeHead(status, {
    "content-type": CONTENT_TYPE,
    "content-length": body.length,
    "x-kms-requestid": requestId,
  });
  res.end(body);
}

function one(req: Req, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
