import { spawn } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { KMSClient } from "@aws-sdk/client-kms";
import { fromBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import type { GrpcClients } from "./grpc-client.js";
import { ROOT } from "./server-process.js";

/**
 * Helpers for the security e2e suites (`test/e2e/security-*.test.ts`): the `kms` command-line
 * tool, Connect JSON calls with plain `fetch`, AWS JSON calls signed by hand with
 * `@smithy/signature-v4` (so a test can alter a request after signing), and untyped access to
 * the grpc-js methods of the security RPCs (grants, key policies).
 */

export const KMS_BIN = resolve(ROOT, "bin/kms.mjs");

/** One principal's credentials, as `kms principal create` prints them. */
export interface PrincipalCredentials {
  name: string;
  admin: boolean;
  token: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/kms.mjs ...args` from the repository root. The test process's own `KMS_*`
 * variables are dropped so that only `args` and `env` configure the tool.
 */
export function kmsCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KMS_")));
  const child = spawn(process.execPath, [KMS_BIN, ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((res, rej) => {
    child.once("error", rej);
    child.once("close", (code) => res({ code, stdout, stderr }));
  });
}

/** `kms principal create NAME [--admin]` with the given configuration flags; fails the test on a non-zero exit. */
export async function createPrincipal(
  configArgs: string[],
  name: string,
  opts: { admin?: boolean } = {},
): Promise<PrincipalCredentials> {
  const args = ["principal", "create", name, ...(opts.admin ? ["--admin"] : []), ...configArgs];
  const out = await kmsCli(args);
  if (out.code !== 0) throw new Error(`kms ${args.join(" ")} exited ${out.code}: ${out.stderr}`);
  return JSON.parse(out.stdout) as PrincipalCredentials;
}

/** A Connect JSON call's result: HTTP status, the decoded body, and for errors the code and ErrorInfo reason. */
export interface ConnectResult {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON of many shapes.
  body: any;
  code?: string;
  reason?: string;
}

/** The ErrorInfo reason of a Connect JSON error body, decoded from the binary `value` (not the optional `debug`). */
export function connectReason(body: unknown): string | undefined {
  const details = (body as { details?: { type?: string; value?: string }[] } | null)?.details ?? [];
  for (const d of details) {
    if (d.type === "google.rpc.ErrorInfo" && typeof d.value === "string") {
      return fromBinary(ErrorInfoSchema, Buffer.from(d.value, "base64")).reason;
    }
  }
  return undefined;
}

/** POSTs `body` as Connect JSON (unary, HTTP/1.1) to `<url>/<service>/<method>`. */
export async function connectJson(
  url: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<ConnectResult> {
  const res = await fetch(`${url}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const out: ConnectResult = { status: res.status, text, body: parsed };
  if (res.status !== 200 && parsed && typeof parsed === "object") {
    out.code = (parsed as { code?: string }).code;
    const reason = connectReason(parsed);
    if (reason !== undefined) out.reason = reason;
  }
  return out;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBytes(data: SourceData): Buffer | string {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** SHA-256 / HMAC-SHA-256 from node:crypto in the shape `@smithy/signature-v4` wants. */
export class Sha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error("not used");
  }
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AwsCallOptions {
  /** The operation, e.g. `ListKeys` (sent as `TrentService.ListKeys`). */
  operation: string;
  /** The JSON body text; `{}` by default. */
  body?: string;
  /** Signing credentials; `null` sends the request unsigned. */
  credentials: AwsCredentials | null;
  signingDate?: Date;
  region?: string;
  /** Extra headers present when signing (so they are signed). */
  signedHeaders?: Record<string, string>;
  /** Whether the signer adds `x-amz-content-sha256` (default true, as the signer does). */
  applyChecksum?: boolean;
  /** Headers sent but left out of SignedHeaders, as a careless hand-written client would. */
  unsignedHeaders?: string[];
  /** Changes the request after signing: the tampering under test. */
  tamper?: (req: { headers: Record<string, string>; body: string }) => void;
}

export interface AwsResult {
  status: number;
  /** `__type` of an error body. */
  type?: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON of many shapes.
  body: any;
  text: string;
}

/**
 * Sends one AWS JSON 1.1 request (`POST /`, `X-Amz-Target: TrentService.<op>`) with node:http, so
 * the headers on the wire are exactly those signed (plus any `tamper` made).
 */
export async function awsCall(url: string, opts: AwsCallOptions): Promise<AwsResult> {
  const target = new URL(url);
  let headers: Record<string, string> = {
    host: target.host,
    "content-type": "application/x-amz-json-1.1",
    "x-amz-target": `TrentService.${opts.operation}`,
    ...opts.signedHeaders,
  };
  let body = opts.body ?? "{}";
  if (opts.credentials) {
    const signer = new SignatureV4({
      service: "kms",
      region: opts.region ?? "us-east-1",
      credentials: opts.credentials,
      sha256: Sha256,
      applyChecksum: opts.applyChecksum ?? true,
    });
    const signed = await signer.sign(
      {
        method: "POST",
        protocol: "http:",
        hostname: target.hostname,
        port: Number(target.port),
        path: "/",
        query: {},
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        body,
      },
      {
        ...(opts.signingDate ? { signingDate: opts.signingDate } : {}),
        ...(opts.unsignedHeaders ? { unsignableHeaders: new Set(opts.unsignedHeaders) } : {}),
      },
    );
    headers = { ...(signed.headers as Record<string, string>) };
  }
  const mutable = { headers, body };
  opts.tamper?.(mutable);
  headers = mutable.headers;
  body = mutable.body;
  headers["content-length"] = String(Buffer.byteLength(body));
  const { status, text } = await new Promise<{ status: number; text: string }>((res, rej) => {
    const req = http.request(
      { host: target.hostname, port: Number(target.port), method: "POST", path: "/", headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => res({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        response.on("error", rej);
      },
    );
    req.on("error", rej);
    req.end(body);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const out: AwsResult = { status, body: parsed, text };
  const type = (parsed as { __type?: unknown } | undefined)?.__type;
  if (typeof type === "string") out.type = type;
  return out;
}

/** The real AWS SDK client for a principal's keys; one attempt, so a refusal is seen at once. */
export function awsClient(url: string, credentials: AwsCredentials): KMSClient {
  return new KMSClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
}

/** The AWS SDK error name (`AccessDeniedException`, …) a call fails with; throws if it succeeds. */
export async function awsErrorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).name;
  }
  throw new Error("expected the AWS call to fail");
}

type Service = "keys" | "dataKeys" | "crypto";

/**
 * Calls any unary method of a grpc-js client by name, including the security RPCs that
 * `grpc-client.ts`'s typed interfaces may not list (the clients have every method at runtime).
 */
export function rpc<T = Record<string, unknown>>(
  clients: GrpcClients,
  service: Service,
  method: string,
  req: Record<string, unknown>,
  metadata?: grpc.Metadata,
): Promise<T> {
  const table = clients[service] as unknown as Record<
    string,
    ((req: Record<string, unknown>, md?: grpc.Metadata) => Promise<T>) | undefined
  >;
  const fn = table[method];
  if (!fn) throw new Error(`no method ${method} on ${service}`);
  return fn(req, metadata);
}

/** Metadata carrying `x-request-id`, so a test can find its call in the audit trail. */
export function withRequestId(id: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set("x-request-id", id);
  return md;
}

/** Configuration flags for the CLI against a server's SQLite data dir. */
export const sqliteArgs = (dataDir: string): string[] => ["--data-dir", dataDir];

/**
 * Resolves once the stopped server's stdout and stderr are closed, so `stdoutLines` and
 * `stderr()` hold everything it ever printed (the exit event can come before the last lines).
 */
export async function outputDrained(child: { stdout: Readable | null; stderr: Readable | null }): Promise<void> {
  await Promise.all(
    [child.stdout, child.stderr].map((s) =>
      s === null || s.closed || s.destroyed ? undefined : new Promise<void>((res) => s.once("close", () => res())),
    ),
  );
}
