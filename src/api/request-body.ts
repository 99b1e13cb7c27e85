import { promisify } from "node:util";
import zlib from "node:zlib";
import type { DescMethod } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { KmsError } from "../domain/errors.js";
import { checkBinaryMessage, checkJsonMessage } from "./request-check.js";

/**
 * How a request body is laid out, from its content type: gRPC, gRPC-Web and Connect streaming
 * frame each message in an envelope (1 flag byte, 4-byte big-endian length —
 * https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md and connectrpc.com/docs/protocol);
 * Connect unary sends one bare message. Undefined for anything else, which connect-node refuses
 * itself (415).
 */
export interface BodyShape {
  enveloped: boolean;
  json: boolean;
  /** The request's content coding (`grpc-encoding`, `connect-content-encoding`, `content-encoding`). */
  encoding: string | undefined;
}

const ENVELOPED = /^application\/(grpc|grpc-web|connect)(?:\+(proto|json))?$/;

export function bodyShape(header: Headers): BodyShape | undefined {
  const type = (header.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const m = ENVELOPED.exec(type);
  if (m) {
    const encoding = header.get(m[1] === "connect" ? "connect-content-encoding" : "grpc-encoding") ?? undefined;
    return { enveloped: true, json: m[2] === "json", encoding };
  }
  if (type === "application/proto" || type === "application/json") {
    return {
      enveloped: false,
      json: type === "application/json",
      encoding: header.get("content-encoding") ?? undefined,
    };
  }
  return undefined;
}

const COMPRESSED_FLAG = 0b0000_0001;
const HEADER_BYTES = 5;

type Decompress = (bytes: Uint8Array, opts: zlib.ZlibOptions & zlib.BrotliOptions) => Promise<Buffer>;
const DECOMPRESS: Record<string, Decompress> = {
  gzip: promisify(zlib.gunzip),
  br: promisify(zlib.brotliDecompress),
};

/**
 * What to do with a coded body: "identity" (or none) is plain; gzip and br are decoded here
 * within `readMaxBytes`; any other coding is left to connect-node, which refuses it.
 */
function decoderFor(encoding: string | undefined): Decompress | "identity" | undefined {
  if (encoding === undefined || encoding === "identity") return "identity";
  return Object.hasOwn(DECOMPRESS, encoding) ? DECOMPRESS[encoding] : undefined;
}

async function decompress(decode: Decompress, bytes: Uint8Array, readMaxBytes: number): Promise<Uint8Array> {
  try {
    return bytes.length === 0 ? bytes : await decode(bytes, { maxOutputLength: readMaxBytes });
  } catch {
    throw new KmsError("InvalidArgument", "The request body could not be decompressed within the size limit.");
  }
}

function checkMessage(method: DescMethod, json: boolean, bytes: Uint8Array): void {
  if (json) checkJsonMessage(method.input, bytes);
  else checkBinaryMessage(method.input, bytes);
}

/**
 * The request body with every message checked before connect-node reads it; a bad message makes
 * the body throw `KmsError("InvalidArgument")`, which connect-node then answers in the
 * request's own protocol. A message larger than `readMaxBytes` is `LimitExceeded`; a body in a coding
 * other than gzip or br passes unchecked, for connect-node to refuse.
 */
export function checkedBody(
  body: AsyncIterable<Uint8Array>,
  method: DescMethod,
  shape: BodyShape,
  readMaxBytes: number,
): AsyncIterable<Uint8Array> {
  return shape.enveloped
    ? checkedEnvelopes(body, method, shape, readMaxBytes)
    : checkedUnary(body, method, shape, readMaxBytes);
}

async function* checkedUnary(
  body: AsyncIterable<Uint8Array>,
  method: DescMethod,
  shape: BodyShape,
  readMaxBytes: number,
): AsyncIterable<Uint8Array> {
  const decode = decoderFor(shape.encoding);
  if (decode === undefined) return yield* body;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > readMaxBytes) throw tooLarge(readMaxBytes);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks, size);
  checkMessage(method, shape.json, decode === "identity" ? raw : await decompress(decode, raw, readMaxBytes));
  yield raw;
}

/**
 * Splits enveloped messages, checks each, and hands connect-node each one uncompressed (its
 * compressed flag cleared), so it decodes what was checked. A unary or server-streaming method
 * takes exactly one request message.
 */
async function* checkedEnvelopes(
  body: AsyncIterable<Uint8Array>,
  method: DescMethod,
  shape: BodyShape,
  readMaxBytes: number,
): AsyncIterable<Uint8Array> {
  const single = method.methodKind === "unary" || method.methodKind === "server_streaming";
  const decode = decoderFor(shape.encoding);
  if (decode === undefined) return yield* body;
  let pending = Buffer.alloc(0);
  let count = 0;
  for await (const chunk of body) {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER_BYTES) {
      const flags = pending[0]!;
      const length = pending.readUInt32BE(1);
      if (length > readMaxBytes) throw tooLarge(readMaxBytes);
      if (pending.length < HEADER_BYTES + length) break;
      const frame = pending.subarray(HEADER_BYTES, HEADER_BYTES + length);
      pending = pending.subarray(HEADER_BYTES + length);
      if ((flags & ~COMPRESSED_FLAG) !== 0) throw invalid("A request frame has unknown flags.");
      let message: Uint8Array = frame;
      if (flags & COMPRESSED_FLAG) {
        if (decode === "identity") throw invalid("A request frame is compressed but the request names no encoding.");
        message = await decompress(decode, frame, readMaxBytes);
      }
      count += 1;
      if (single && count > 1) throw invalid(`${method.name} takes exactly one request message.`);
      checkMessage(method, shape.json, message);
      yield envelope(message);
    }
  }
  if (pending.length > 0) throw invalid("The request body ends inside a frame.");
  if (single && count === 0) throw invalid(`${method.name} takes exactly one request message.`);
}

function envelope(message: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(HEADER_BYTES + message.byteLength);
  out[0] = 0;
  out.writeUInt32BE(message.byteLength, 1);
  out.set(message, HEADER_BYTES);
  return out;
}

function tooLarge(readMaxBytes: number): KmsError {
  return new KmsError("LimitExceeded", `A request message may be at most ${readMaxBytes} bytes.`);
}

function invalid(message: string): KmsError {
  return new KmsError("InvalidArgument", message);
}

/**
 * The message of a Connect GET request (`?encoding=&base64=&compression=&message=`,
 * connectrpc.com/docs/protocol#unary-get-request), checked like a body; a coded message is left
 * to connect-node. Throws `KmsError("InvalidArgument")`.
 */
export function checkGetMessage(method: DescMethod, url: string): void {
  const query = new URL(url, "http://localhost").searchParams;
  const compression = query.get("compression");
  if (compression !== null && compression !== "identity") return;
  const encoding = query.get("encoding");
  if (encoding !== "json" && encoding !== "proto") return;
  const text = query.get("message") ?? "";
  let bytes: Uint8Array;
  try {
    bytes = query.get("base64") === "1" ? base64Decode(text) : new TextEncoder().encode(text);
  } catch {
    throw invalid("The message parameter is not base64.");
  }
  checkMessage(method, encoding === "json", bytes);
}
