import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { CryptoService } from "../../gen/kms/v1/crypto_service_pb.js";
import { DataKeyService } from "../../gen/kms/v1/data_key_service_pb.js";
import { KeyService } from "../../gen/kms/v1/key_service_pb.js";
import { bearerInterceptor } from "./auth.js";
import { type RetryOptions, retryInterceptor } from "./retry.js";

/** The three kms.v1 services as typed clients over one transport. */
export interface KmsClient {
  keys: Client<typeof KeyService>;
  dataKeys: Client<typeof DataKeyService>;
  crypto: Client<typeof CryptoService>;
}

/** What every client factory accepts. */
export interface CommonClientOptions {
  /** `http://127.0.0.1:8080` */
  baseUrl: string;
  /** A principal's bearer token (`kms principal create`). */
  token?: string | undefined;
  /** The default deadline of every call in ms (default 30 000); a call's own `timeoutMs` wins. */
  timeoutMs?: number | undefined;
  /** Retry settings, or `false` for none (see `retry.ts` for what is retried). */
  retry?: RetryOptions | false | undefined;
  /** Extra interceptors, run after authentication and inside the retry loop. */
  interceptors?: Interceptor[] | undefined;
}

/** Interceptors in order: retries outermost, so each attempt is authenticated afresh. */
export function clientInterceptors(opts: CommonClientOptions): Interceptor[] {
  return [
    ...(opts.retry === false ? [] : [retryInterceptor(opts.retry ?? {})]),
    ...(opts.token ? [bearerInterceptor(opts.token)] : []),
    ...(opts.interceptors ?? []),
  ];
}

/** Builds the three clients on one transport. */
export function kmsClientOver(transport: Transport): KmsClient {
  return {
    keys: createClient(KeyService, transport),
    dataKeys: createClient(DataKeyService, transport),
    crypto: createClient(CryptoService, transport),
  };
}
