import http from "node:http";
import http2 from "node:http2";
import { resolve } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { anyUnpack, AnySchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { CryptoService } from "../../gen/kms/v1/crypto_service_pb.js";
import { DataKeyService } from "../../gen/kms/v1/data_key_service_pb.js";
import { KeyService } from "../../gen/kms/v1/key_service_pb.js";
import { bearerInterceptor } from "../../src/client/auth.js";
import { ROOT, TEST_ADMIN } from "../../test/helpers/server-process.js";

/** Every scenario calls as the test server's preset admin (authentication is on everywhere). */
const AUTH = [bearerInterceptor(TEST_ADMIN.token)];

const DEADLINE_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Connect clients (connect-node), generated descriptors from gen/.

export interface ConnectClients {
  keys: Client<typeof KeyService>;
  dataKeys: Client<typeof DataKeyService>;
  crypto: Client<typeof CryptoService>;
}

function connectClients(transport: Parameters<typeof createClient>[1]): ConnectClients {
  return {
    keys: createClient(KeyService, transport),
    dataKeys: createClient(DataKeyService, transport),
    crypto: createClient(CryptoService, transport),
  };
}

/** Connect protocol, binary Protobuf, cleartext HTTP/2 (one multiplexed session). */
export function connectBinaryH2c(baseUrl: string): ConnectClients {
  return connectClients(
    createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, interceptors: AUTH }),
  );
}

/** gRPC protocol through connect-node's own client (cleartext HTTP/2, one session). */
export function connectGrpc(baseUrl: string): ConnectClients {
  return connectClients(createGrpcTransport({ baseUrl, interceptors: AUTH }));
}

function screamingSnake(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

/** `RESOURCE_EXHAUSTED/Rejected.Throttling` for a ConnectError; `NETWORK/<code>` for anything else. */
export function classifyConnect(err: unknown): string {
  if (err instanceof ConnectError) {
    const reason = err.findDetails(ErrorInfoSchema)[0]?.reason;
    const code = screamingSnake(Code[err.code] ?? String(err.code));
    return reason ? `${code}/${reason}` : code;
  }
  return classifyOther(err);
}

function classifyOther(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } };
  return `NETWORK/${String(e?.cause?.code ?? e?.code ?? e?.name ?? "unknown")}`;
}

// ---------------------------------------------------------------------------------------------
// Connect JSON over HTTP/1.1 with plain fetch (undici's global dispatcher: keep-alive pool).

export class ConnectJsonError extends Error {
  constructor(
    readonly label: string,
    message: string,
  ) {
    super(message);
  }
}

interface ConnectJsonErrorBody {
  code?: string;
  message?: string;
  details?: { type?: string; value?: string }[];
}

/** POSTs one Connect unary JSON call and returns the parsed response; a non-200 throws ConnectJsonError. */
export async function connectJsonCall<T>(baseUrl: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TEST_ADMIN.token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(DEADLINE_MS),
  });
  const json = (await res.json()) as unknown;
  if (res.status === 200) return json as T;
  const e = json as ConnectJsonErrorBody;
  const code = (e.code ?? `HTTP_${res.status}`).toUpperCase();
  let reason: string | undefined;
  for (const d of e.details ?? []) {
    if (d.type === "google.rpc.ErrorInfo" && d.value) {
      reason = fromBinary(ErrorInfoSchema, Buffer.from(d.value, "base64")).reason;
    }
  }
  throw new ConnectJsonError(reason ? `${code}/${reason}` : code, e.message ?? "");
}

export function classifyFetch(err: unknown): string {
  return err instanceof ConnectJsonError ? err.label : classifyOther(err);
}

// ---------------------------------------------------------------------------------------------
// @grpc/grpc-js with the contract loaded from proto/ by proto-loader (shares no code with gen/).

const definition = protoLoader.loadSync(
  ["kms/v1/types.proto", "kms/v1/key_service.proto", "kms/v1/data_key_service.proto", "kms/v1/crypto_service.proto"],
  {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [resolve(ROOT, "proto")],
  },
);
type Ctor = grpc.ServiceClientConstructor;
/** The three services as proto-loader builds them: the bench's grpc-js clients and its bare grpc-js ceiling server. */
export const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  kms: { v1: { KeyService: Ctor; DataKeyService: Ctor; CryptoService: Ctor } };
};

type Callback = (err: grpc.ServiceError | null, res?: unknown) => void;
type RawUnary = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback) => unknown;

/** A promisified unary method: `call("GenerateDataKey", {...})`. */
export type GrpcUnary = <T = Record<string, unknown>>(method: string, req: Record<string, unknown>) => Promise<T>;

export interface GrpcJsClients {
  keys: GrpcUnary;
  dataKeys: GrpcUnary;
  crypto: GrpcUnary;
  close(): void;
}

function promisify(client: grpc.Client): GrpcUnary {
  const methods = client as unknown as Record<string, RawUnary>;
  const empty = new grpc.Metadata();
  return <T>(method: string, req: Record<string, unknown>) =>
    new Promise<T>((res, rej) => {
      methods[method]!.call(client, req, empty, { deadline: Date.now() + DEADLINE_MS }, (err, value) =>
        err ? rej(err) : res(value as T),
      );
    });
}

/**
 * grpc-js clients over cleartext HTTP/2; the three share one channel's connection (global subchannel
 * pool). They send `token` as the bearer token (the test admin's by default); `null` sends none.
 */
export function grpcJs(baseUrl: string, token: string | null = TEST_ADMIN.token): GrpcJsClients {
  const target = baseUrl.replace(/^https?:\/\//, "");
  const creds = grpc.credentials.createInsecure();
  const { KeyService: K, DataKeyService: D, CryptoService: C } = loaded.kms.v1;
  const auth: grpc.Interceptor = (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        if (token !== null) metadata.set("authorization", `Bearer ${token}`);
        next(metadata, listener);
      },
    });
  const opts = { interceptors: [auth] };
  const raw = [new K(target, creds, opts), new D(target, creds, opts), new C(target, creds, opts)] as const;
  return {
    keys: promisify(raw[0]),
    dataKeys: promisify(raw[1]),
    crypto: promisify(raw[2]),
    close: () => {
      for (const c of raw) c.close();
    },
  };
}

/** The `google.rpc.ErrorInfo.reason` inside a `grpc-status-details-bin` trailer (a google.rpc.Status). */
function statusReason(bytes: Uint8Array): string | undefined {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 3 && wireType === WireType.LengthDelimited) {
      const info = anyUnpack(fromBinary(AnySchema, reader.bytes()), ErrorInfoSchema);
      if (info) return info.reason;
    } else {
      reader.skip(wireType);
    }
  }
  return undefined;
}

export function classifyGrpcJs(err: unknown): string {
  const e = err as Partial<grpc.ServiceError>;
  if (typeof e?.code === "number" && e.metadata instanceof grpc.Metadata) {
    const code = grpc.status[e.code] ?? String(e.code);
    const raw = e.metadata.get("grpc-status-details-bin")[0];
    const reason = raw instanceof Uint8Array ? statusReason(raw) : undefined;
    return reason ? `${code}/${reason}` : code;
  }
  return classifyOther(err);
}

// ---------------------------------------------------------------------------------------------
// AWS SDK v3 (@aws-sdk/client-kms) against the AWS-compatible endpoint.

export async function awsKmsClient(baseUrl: string, maxSockets: number) {
  const { KMSClient, GenerateDataKeyCommand } = await import("@aws-sdk/client-kms");
  const client = new KMSClient({
    endpoint: baseUrl,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey },
    maxAttempts: 1,
    requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets }), requestTimeout: DEADLINE_MS },
  });
  return {
    generateDataKey: async (keyId: string) => {
      const out = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" }));
      if (!out.CiphertextBlob || !out.Plaintext) throw new Error("AWS GenerateDataKey returned no key");
    },
    destroy: () => client.destroy(),
  };
}

export function classifyAws(err: unknown): string {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.$metadata) return `AWS/${e.name ?? "Error"}(${e.$metadata.httpStatusCode ?? "?"})`;
  return classifyOther(err);
}

// ---------------------------------------------------------------------------------------------
// Raw node:http2 (no RPC framework on either side of the client): the floor of the listener.

export class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export function rawH2(baseUrl: string) {
  const session = http2.connect(baseUrl);
  session.on("error", () => {});
  return {
    get: (path: string) =>
      new Promise<void>((res, rej) => {
        const req = session.request({ ":method": "GET", ":path": path });
        let status = 0;
        req.on("response", (headers) => {
          status = Number(headers[":status"]);
        });
        req.on("data", () => {});
        req.on("end", () => (status === 200 ? res() : rej(new HttpStatusError(status))));
        req.on("error", rej);
        req.end();
      }),
    close: () => session.close(),
  };
}

export function classifyRawH2(err: unknown): string {
  return err instanceof HttpStatusError ? `HTTP_${err.status}` : classifyOther(err);
}
