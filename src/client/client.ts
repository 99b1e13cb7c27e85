import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { AdminService } from "../../gen/kms/v1/admin_service_pb.js";
import { CryptoService } from "../../gen/kms/v1/crypto_service_pb.js";
import { DataKeyService } from "../../gen/kms/v1/data_key_service_pb.js";
import { KeyService } from "../../gen/kms/v1/key_service_pb.js";
import { bearerInterceptor } from "./auth.js";
import { toKmsClientError } from "./errors.js";
import { type RetryOptions, retryInterceptor } from "./retry.js";

/** The kms.v1 services as typed clients over one transport. */
export interface KmsClient {
  keys: Client<typeof KeyService>;
  dataKeys: Client<typeof DataKeyService>;
  crypto: Client<typeof CryptoService>;
  /** Principals and the audit trail; admins only, except `getCallerIdentity`. */
  admin: Client<typeof AdminService>;
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

/** Builds the clients on one transport; every failed call rejects with a `KmsClientError`. */
export function kmsClientOver(transport: Transport): KmsClient {
  return {
    keys: withKmsErrors(createClient(KeyService, transport)),
    dataKeys: withKmsErrors(createClient(DataKeyService, transport)),
    crypto: withKmsErrors(createClient(CryptoService, transport)),
    admin: withKmsErrors(createClient(AdminService, transport)),
  };
}

/**
 * Wraps each method so that its promise rejects with a {@link toKmsClientError} value, letting
 * callers test `err instanceof KmsClientError` and read `reason` directly. This cannot be an
 * interceptor: Connect's call runner passes whatever an interceptor throws through
 * `ConnectError.from`, which would turn a `KmsClientError` back into a plain `ConnectError`.
 */
function withKmsErrors<T extends object>(client: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(client)) {
    wrapped[name] = (...args: unknown[]) => {
      const result = (method as (...a: unknown[]) => unknown)(...args);
      return result instanceof Promise
        ? result.catch((err: unknown) => {
            throw toKmsClientError(err);
          })
        : result;
    };
  }
  return wrapped as T;
}
