import http2 from "node:http2";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { decodeRpcStatus } from "./grpc-client.js";
import { connectReason } from "./security.js";

/** One answer as the wire carried it, whatever the protocol. */
export interface RawResponse {
  status: number;
  headers: http2.IncomingHttpHeaders;
  /** HTTP trailers, or a gRPC-Web body's trailer frame. */
  trailers: Record<string, string>;
  body: Buffer;
}

/**
 * One reused HTTP/2 (h2c, prior knowledge) session for sending hand-made requests: the bytes of
 * each body are exactly those given, so malformed frames and messages reach the server as sent.
 */
export class RawH2 {
  private readonly session: http2.ClientHttp2Session;

  constructor(url: string) {
    this.session = http2.connect(url);
    this.session.on("error", () => {});
  }

  request(path: string, headers: Record<string, string>, body: Uint8Array | string): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const stream = this.session.request({ ":method": "POST", ":path": path, ...headers });
      let head: http2.IncomingHttpHeaders = {};
      let trailers: Record<string, string> = {};
      const chunks: Buffer[] = [];
      stream.on("response", (h) => {
        head = h;
      });
      stream.on("trailers", (t) => {
        trailers = flatten(t);
      });
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", reject);
      stream.on("close", () => {
        const status = Number(head[":status"] ?? 0);
        if (status === 0) reject(new Error(`stream closed without a response (code ${stream.rstCode})`));
        else resolve({ status, headers: head, trailers, body: Buffer.concat(chunks) });
      });
      stream.end(body);
    });
  }

  close(): void {
    this.session.close();
  }
}

function flatten(h: http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(",") : String(v);
  return out;
}

/** A gRPC length-prefixed message (flags byte, u32be length, message). */
export function grpcFrame(message: Uint8Array, flags = 0): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(message.byteLength, 1);
  return Buffer.concat([head, message]);
}

/** The status of a gRPC or gRPC-Web answer, with its `google.rpc.ErrorInfo` reason when sent. */
export interface GrpcOutcome {
  code: number;
  reason?: string | undefined;
  /** The first response message (gRPC framing removed), when one came. */
  message?: Buffer | undefined;
}

/** Reads a gRPC answer: status from the trailers, or from the headers of a trailers-only answer. */
export function grpcOutcome(res: RawResponse): GrpcOutcome {
  const frames = splitFrames(res.body);
  const webTrailer = frames.find((f) => f.flags & 0x80);
  const fields = webTrailer ? parseTrailerBlock(webTrailer.data) : { ...flatten(res.headers), ...res.trailers };
  const code = Number(fields["grpc-status"] ?? Number.NaN);
  const details = fields["grpc-status-details-bin"];
  const reason = details ? reasonOf(Buffer.from(details, "base64")) : undefined;
  return { code, reason, message: frames.find((f) => !(f.flags & 0x80))?.data };
}

function reasonOf(statusBytes: Buffer): string | undefined {
  try {
    for (const detail of decodeRpcStatus(statusBytes).details) {
      const info = anyUnpack(detail, ErrorInfoSchema);
      if (info) return info.reason;
    }
    return undefined;
  } catch {
    return "<undecodable status details>";
  }
}

function splitFrames(body: Buffer): { flags: number; data: Buffer }[] {
  const out: { flags: number; data: Buffer }[] = [];
  let at = 0;
  while (at + 5 <= body.length) {
    const length = body.readUInt32BE(at + 1);
    out.push({ flags: body[at]!, data: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

/** A gRPC-Web trailer frame: HTTP/1-style `name: value` lines. */
function parseTrailerBlock(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of data.toString("latin1").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** A Connect unary answer: HTTP status, error code name and ErrorInfo reason (undefined on success). */
export function connectOutcome(res: RawResponse): { status: number; code?: string; reason?: string | undefined } {
  if (res.status === 200) return { status: 200 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body.toString("utf8"));
  } catch {
    return { status: res.status, code: "<not json>" };
  }
  return { status: res.status, code: (parsed as { code?: string }).code, reason: connectReason(parsed) };
}
