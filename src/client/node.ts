import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { type CommonClientOptions, clientInterceptors, type KmsClient, kmsClientOver } from "./client.js";

export interface NodeClientOptions extends CommonClientOptions {
  /** `connect` (default; JSON-free binary Connect) or `grpc`. */
  protocol?: "connect" | "grpc" | undefined;
  /** HTTP version for Connect (default "2"); gRPC always uses HTTP/2. */
  httpVersion?: "1.1" | "2" | undefined;
}

/**
 * A typed kms.v1 client for Node: Connect (binary) or gRPC over HTTP/2, a bearer token, default
 * deadlines, and retries only where repeating a call is safe.
 *
 * @example
 * const kms = createKmsClient({ baseUrl: "http://127.0.0.1:8080", token });
 * const { key } = await kms.keys.createKey({ description: "orders" });
 */
export function createKmsClient(opts: NodeClientOptions): KmsClient {
  const common = {
    baseUrl: opts.baseUrl,
    interceptors: clientInterceptors(opts),
    defaultTimeoutMs: opts.timeoutMs ?? 30_000,
  };
  const transport =
    opts.protocol === "grpc"
      ? createGrpcTransport(common)
      : createConnectTransport({ ...common, httpVersion: opts.httpVersion ?? "2", useBinaryFormat: true });
  return kmsClientOver(transport);
}
