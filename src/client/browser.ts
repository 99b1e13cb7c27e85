import { createConnectTransport } from "@connectrpc/connect-web";
import { type CommonClientOptions, clientInterceptors, type KmsClient, kmsClientOver } from "./client.js";

/**
 * A typed kms.v1 client for browsers, over Connect with `fetch` (the server answers CORS for
 * `KMS_CORS_ORIGINS`). JSON by default, so requests read well in the browser's network panel.
 */
export function createBrowserKmsClient(opts: CommonClientOptions & { useBinaryFormat?: boolean }): KmsClient {
  return kmsClientOver(
    createConnectTransport({
      baseUrl: opts.baseUrl,
      interceptors: clientInterceptors(opts),
      defaultTimeoutMs: opts.timeoutMs ?? 30_000,
      useBinaryFormat: opts.useBinaryFormat ?? false,
    }),
  );
}

export type { KmsClient } from "./client.js";
export { KmsClientError, toKmsClientError } from "./errors.js";
