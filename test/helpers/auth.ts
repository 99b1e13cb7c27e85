import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import type { Interceptor } from "@connectrpc/connect";
import { SignatureV4 } from "@smithy/signature-v4";
import { TEST_ADMIN } from "./server-process.js";

/**
 * Client-side credentials for the e2e tests that do not go through an SDK that authenticates on
 * its own: a Connect interceptor for the connect-node transports, and a SigV4 signer for raw
 * `fetch` calls to the AWS endpoint.
 */

/** A connect-node interceptor that sends `authorization: Bearer <token>` (the test admin's by default). */
export function authInterceptor(token: string = TEST_ADMIN.token): Interceptor {
  return (next) => async (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): Buffer | string {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256 (or HMAC-SHA-256 with a secret) from `node:crypto`, in the shape `@smithy/signature-v4` expects. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", bytesOf(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedFetchOptions {
  /** The `x-amz-target` header; omitted when undefined. */
  target?: string | undefined;
  body: string;
  /** Default `application/x-amz-json-1.1`. */
  contentType?: string;
  /** Default the test admin's access key. */
  credentials?: AwsCredentials;
  /** Default `us-east-1`. */
  region?: string;
}

/**
 * `POST <endpoint>/` to the AWS JSON endpoint, signed with SigV4 (service `kms`) by the AWS SDK's
 * own signer, `@smithy/signature-v4` — for the requests an SDK would never send (malformed JSON,
 * wrong member types, odd content types) that must still get past authentication.
 */
export async function signedFetch(endpoint: string, opts: SignedFetchOptions): Promise<Response> {
  const url = new URL("/", endpoint);
  const headers: Record<string, string> = {
    host: url.host,
    "content-type": opts.contentType ?? "application/x-amz-json-1.1",
  };
  if (opts.target !== undefined) headers["x-amz-target"] = opts.target;
  const signer = new SignatureV4({
    service: "kms",
    region: opts.region ?? "us-east-1",
    credentials: opts.credentials ?? {
      accessKeyId: TEST_ADMIN.accessKeyId,
      secretAccessKey: TEST_ADMIN.secretAccessKey,
    },
    sha256: NodeSha256,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === "" ? undefined : Number(url.port),
    path: url.pathname,
    query: {},
    headers,
    body: opts.body,
  });
  // fetch sets `host` itself, to the same value that was signed.
  const { host: _host, ...sent } = signed.headers;
  return fetch(url, { method: "POST", headers: sent, body: opts.body });
}
