import {
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
} from "@opentelemetry/api";
import type { CallInfo } from "./pipeline.js";

/** The wire a call came in on, as its span's `kms.protocol` names it. */
export type CallProtocol = "grpc" | "grpc-web" | "connect" | "aws-json" | "alibaba";

/** `rpc.system` per protocol (OpenTelemetry RPC semantic conventions where they name one). */
const RPC_SYSTEM = {
  grpc: "grpc",
  "grpc-web": "grpc",
  connect: "connect_rpc",
  "aws-json": "aws-api",
  alibaba: "alibaba_kms",
} as const satisfies Record<CallProtocol, string>;

/**
 * Which wire a call used: the AWS and Alibaba surfaces are known by the signed request they hand
 * over, grpc-js serves only gRPC, and connect-node's protocols differ by content type.
 */
export function protocolOf(info: CallInfo): CallProtocol {
  if (info.sigv4) return "aws-json";
  if (info.clientKeySigned) return "alibaba";
  if (info.stack === "grpc-js") return "grpc";
  const type = info.headers.get("content-type") ?? "";
  if (type.startsWith("application/grpc-web")) return "grpc-web";
  if (type.startsWith("application/grpc")) return "grpc";
  return "connect";
}

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * Runs a call inside its server span, named `service/method` as the RPC conventions say, as a
 * child of the caller's `traceparent` when one came. Attributes name the call, never its
 * request or response: no plaintext, key material or token can reach an exporter from here.
 */
export function inCallSpan<T>(tracer: Tracer, info: CallInfo, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent: Context = propagation.extract(ROOT_CONTEXT, info.headers, headerGetter);
  const protocol = protocolOf(info);
  return tracer.startActiveSpan(
    `${info.service}/${info.method}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "rpc.system": RPC_SYSTEM[protocol],
        "rpc.service": info.service,
        "rpc.method": info.method,
        "kms.protocol": protocol,
        "kms.request_id": info.requestId,
        ...(info.stack ? { "kms.stack": info.stack } : {}),
      },
    },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } finally {
        span.end();
      }
    },
  );
}

/** Marks the span with the call's outcome: the KMS code (never a message), and the key it used. */
export function recordOutcome(span: Span, code: string, keyId: string | null | undefined): void {
  span.setAttribute("kms.code", code);
  if (keyId) span.setAttribute("kms.key_id", keyId);
  if (code !== "OK") span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}
