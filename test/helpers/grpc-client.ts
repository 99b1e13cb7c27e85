import { resolve } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { type Any, AnySchema, anyUnpack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { expect } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ROOT, TEST_ADMIN } from "./server-process.js";

/**
 * An independent gRPC peer for the e2e tests: `@grpc/grpc-js` with the contract loaded straight
 * from `proto/kms/v1/*.proto` by `@grpc/proto-loader` (protobufjs supplies the bundled
 * `google/protobuf/*` imports). It shares no code with the server's generated stubs, so a test
 * that passes through it proves the bytes on the wire, not our own codegen.
 */
export const PROTO_DIR = resolve(ROOT, "proto");

/** Decoding options: camelCase fields, 64-bit ints as strings, enums by name, bytes as Buffer. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  bytes: Buffer,
  includeDirs: [PROTO_DIR],
};

const definition = protoLoader.loadSync(
  ["kms/v1/types.proto", "kms/v1/key_service.proto", "kms/v1/data_key_service.proto", "kms/v1/crypto_service.proto"],
  LOADER_OPTIONS,
);

type ServiceCtor = grpc.ServiceClientConstructor;
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  kms: { v1: { KeyService: ServiceCtor; DataKeyService: ServiceCtor; CryptoService: ServiceCtor } };
};

/** `google.protobuf.Timestamp` as proto-loader decodes it with `longs: String`. */
export interface WireTimestamp {
  seconds: string;
  nanos: number;
}

/** `kms.v1.KeyMetadata` on the wire; enums are their full proto names (`KEY_SPEC_AES_256`). */
export interface WireKeyMetadata {
  keyId: string;
  arn: string;
  description: string;
  keySpec: string;
  keyUsage: string;
  keyState: string;
  createTime: WireTimestamp | null;
  deletionTime: WireTimestamp | null;
  initialKeyVersionId: string;
  primaryKeyVersionId: string;
  automaticRotation: boolean;
  rotationPeriodDays: number;
  nextRotationTime: WireTimestamp | null;
  tags: Record<string, string>;
  origin: string;
  expirationModel: string;
  validTo: WireTimestamp | null;
  currentKeyMaterialId: string;
}

export interface WireKeyVersion {
  keyId: string;
  keyVersionId: string;
  createTime: WireTimestamp | null;
  /** `KEY_VERSION_STATE_USABLE`, `…_RETIRED` or `…_TRIMMED`. */
  state: string;
  /** `KEY_MATERIAL_STATE_CURRENT`, `…_NON_CURRENT` or `…_PENDING_ROTATION`. */
  keyMaterialState: string;
  /** `IMPORT_STATE_IMPORTED`, `…_PENDING_IMPORT`, or `IMPORT_STATE_UNSPECIFIED` for generated material. */
  importState: string;
  expirationModel: string;
  validTo: WireTimestamp | null;
  keyMaterialDescription: string;
}

/** `kms.v1.BatchItemError`. */
export interface WireItemError {
  code: string;
  reason: string;
  message: string;
}

/** One result of a batch RPC: `outcome` names which of `response` and `error` is set. */
export interface WireBatchResult<Res> {
  reference: string;
  outcome: "response" | "error";
  response?: Res;
  error?: WireItemError;
}

/** A batch RPC's response. */
export interface WireBatchResponse<Res> {
  results: WireBatchResult<Res>[];
}

export interface WireAlias {
  aliasName: string;
  aliasArn: string;
  targetKeyId: string;
  createTime: WireTimestamp | null;
  updateTime: WireTimestamp | null;
}

interface KeyResponse {
  key: WireKeyMetadata;
}

interface EncryptResponse {
  keyId: string;
  keyVersionId: string;
  ciphertextBlob: Buffer;
  iv: Buffer;
  algorithm: string;
}

interface DecryptResponse {
  keyId: string;
  keyVersionId: string;
  plaintext: Buffer;
}

interface ReEncryptResponse {
  sourceKeyId: string;
  sourceKeyVersionId: string;
  keyId: string;
  keyVersionId: string;
  ciphertextBlob: Buffer;
}

interface DataKeyResponse {
  keyId: string;
  keyVersionId: string;
  plaintext: Buffer;
  ciphertextBlob: Buffer;
}

interface DataKeyPairResponse {
  keyId: string;
  keyVersionId: string;
  keyPairSpec: string;
  publicKey: Buffer;
  privateKeyPlaintext: Buffer;
  privateKeyCiphertextBlob: Buffer;
  iv: Buffer;
  algorithm: string;
  requestId: string;
}

/** Request messages are plain objects; proto-loader checks them against the schema. */
export type WireRequest = Record<string, unknown>;

/** One promisified unary method. */
export type Unary<Res> = (req: WireRequest, metadata?: grpc.Metadata, options?: grpc.CallOptions) => Promise<Res>;

export interface KeyServiceClient {
  CreateKey: Unary<KeyResponse>;
  DescribeKey: Unary<KeyResponse>;
  ListKeys: Unary<{ keys: WireKeyMetadata[]; nextPageToken: string }>;
  UpdateKeyDescription: Unary<KeyResponse>;
  EnableKey: Unary<KeyResponse>;
  DisableKey: Unary<KeyResponse>;
  ScheduleKeyDeletion: Unary<KeyResponse>;
  CancelKeyDeletion: Unary<KeyResponse>;
  RotateKey: Unary<KeyResponse & { keyVersionId: string }>;
  ListKeyVersions: Unary<{ keyVersions: WireKeyVersion[]; nextPageToken: string }>;
  UpdateRotationPolicy: Unary<KeyResponse>;
  CreateAlias: Unary<{ alias: WireAlias }>;
  UpdateAlias: Unary<{ alias: WireAlias }>;
  DeleteAlias: Unary<Record<string, never>>;
  ListAliases: Unary<{ aliases: WireAlias[]; nextPageToken: string }>;
  TagKey: Unary<KeyResponse>;
  UntagKey: Unary<KeyResponse>;
  SetMinDecryptionVersion: Unary<KeyResponse>;
  TrimKeyVersions: Unary<KeyResponse & { trimmedKeyVersionIds: string[] }>;
  GetParametersForImport: Unary<{
    keyId: string;
    importToken: Buffer;
    publicKey: Buffer;
    parametersValidTo: WireTimestamp | null;
  }>;
  ImportKeyMaterial: Unary<KeyResponse & { keyMaterialId: string }>;
  DeleteImportedKeyMaterial: Unary<KeyResponse & { keyMaterialId: string }>;
}

export interface DataKeyServiceClient {
  GenerateDataKey: Unary<DataKeyResponse>;
  GenerateDataKeyWithoutPlaintext: Unary<DataKeyResponse>;
  GenerateDataKeyPair: Unary<DataKeyPairResponse>;
  GenerateDataKeyPairWithoutPlaintext: Unary<DataKeyPairResponse>;
  AdvanceGenerateDataKeyPair: Unary<DataKeyPairResponse>;
  AdvanceGenerateDataKeyPairWithoutPlaintext: Unary<DataKeyPairResponse>;
  BatchGenerateDataKey: Unary<WireBatchResponse<DataKeyResponse>>;
}

export interface CryptoServiceClient {
  Encrypt: Unary<EncryptResponse>;
  Decrypt: Unary<DecryptResponse>;
  AdvanceEncrypt: Unary<EncryptResponse>;
  AdvanceDecrypt: Unary<DecryptResponse>;
  ReEncrypt: Unary<ReEncryptResponse>;
  GenerateRandom: Unary<{ plaintext: Buffer }>;
  Sign: Unary<{ keyId: string; keyVersionId: string; signature: Buffer; signingAlgorithm: string }>;
  Verify: Unary<{ keyId: string; signatureValid: boolean; signingAlgorithm: string }>;
  GetPublicKey: Unary<Record<string, unknown>>;
  GenerateMac: Unary<Record<string, unknown>>;
  VerifyMac: Unary<Record<string, unknown>>;
  BatchEncrypt: Unary<WireBatchResponse<EncryptResponse>>;
  BatchDecrypt: Unary<WireBatchResponse<DecryptResponse>>;
  BatchReEncrypt: Unary<WireBatchResponse<ReEncryptResponse>>;
  DeriveSharedSecret: Unary<{
    keyId: string;
    keyVersionId: string;
    sharedSecret: Buffer;
    keyAgreementAlgorithm: string;
    keyOrigin: string;
  }>;
}

/** A unary call's outcome together with the response headers the server sent. */
export interface CallWithHeaders<Res> {
  response?: Res;
  error?: grpc.ServiceError;
  /** Initial response metadata; for a trailers-only error response grpc-js reports it on `error.metadata`. */
  headers?: grpc.Metadata;
}

export interface GrpcClients {
  keys: KeyServiceClient;
  dataKeys: DataKeyServiceClient;
  crypto: CryptoServiceClient;
  /** The raw grpc-js clients, for calls that need the response headers. */
  raw: { keys: grpc.Client; dataKeys: grpc.Client; crypto: grpc.Client };
  close(): void;
}

/** Calls without an explicit deadline get this one, so a hung server fails a test instead of hanging it. */
const DEFAULT_DEADLINE_MS = 30_000;

type UnaryFn = (
  req: WireRequest,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res?: unknown) => void,
) => grpc.ClientUnaryCall;

function unaryFn(client: grpc.Client, method: string): UnaryFn {
  const fn = (client as unknown as Record<string, UnaryFn | undefined>)[method];
  if (typeof fn !== "function") throw new Error(`no method ${method} on this client`);
  return fn.bind(client);
}

function promisified<T>(client: grpc.Client, ctor: ServiceCtor): T {
  const out: Record<string, Unary<unknown>> = {};
  for (const method of Object.keys(ctor.service)) {
    const fn = unaryFn(client, method);
    out[method] = (req, metadata = new grpc.Metadata(), options = {}) =>
      new Promise((res, rej) => {
        fn(req, metadata, { deadline: Date.now() + DEFAULT_DEADLINE_MS, ...options }, (err, value) =>
          err ? rej(err) : res(value),
        );
      });
  }
  return out as T;
}

/**
 * Makes one unary call and keeps the response headers, which the promisified methods drop
 * (the request-id tests need them). Never rejects: the error comes back in the result.
 */
export function callWithHeaders<Res>(
  client: grpc.Client,
  method: string,
  req: WireRequest,
  metadata = new grpc.Metadata(),
): Promise<CallWithHeaders<Res>> {
  const fn = unaryFn(client, method);
  return new Promise((res) => {
    let headers: grpc.Metadata | undefined;
    const call = fn(req, metadata, { deadline: Date.now() + DEFAULT_DEADLINE_MS }, (err, value) =>
      res(err ? { error: err, headers } : { response: value as Res, headers }),
    );
    call.on("metadata", (md) => {
      headers = md;
    });
  });
}

/**
 * A grpc-js interceptor that sends `authorization: Bearer <token>` with every call (call
 * credentials need TLS in grpc-js, so cleartext tests add the header themselves).
 */
export function bearer(token: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        if (!metadata.get("authorization").length) metadata.set("authorization", `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

/**
 * `http://127.0.0.1:1234` or `127.0.0.1:1234` → the three kms.v1 clients over cleartext HTTP/2
 * (or TLS with `credentials`), authenticated as the test admin unless another token (or `null`:
 * none) is given.
 */
export function grpcClients(
  url: string,
  token: string | null = TEST_ADMIN.token,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): GrpcClients {
  const target = url.replace(/^https?:\/\//, "");
  const options = token ? { interceptors: [bearer(token)] } : {};
  const { KeyService, DataKeyService, CryptoService } = loaded.kms.v1;
  const keys = new KeyService(target, credentials, options);
  const dataKeys = new DataKeyService(target, credentials, options);
  const crypto = new CryptoService(target, credentials, options);
  return {
    keys: promisified<KeyServiceClient>(keys, KeyService),
    dataKeys: promisified<DataKeyServiceClient>(dataKeys, DataKeyService),
    crypto: promisified<CryptoServiceClient>(crypto, CryptoService),
    raw: { keys, dataKeys, crypto },
    close() {
      keys.close();
      dataKeys.close();
      crypto.close();
    },
  };
}

/** `google.rpc.Status` — code, message and `Any` details — decoded field by field. */
export interface RpcStatus {
  code: number;
  message: string;
  details: Any[];
}

/**
 * Decodes a `google.rpc.Status` by hand: there is no generated schema for it here, and its three
 * fields are stable. Unknown fields are skipped; a field with the wrong wire type is an error.
 */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const reader = new BinaryReader(bytes);
  const status: RpcStatus = { code: 0, message: "", details: [] };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    const expect = field === 1 ? WireType.Varint : field === 2 || field === 3 ? WireType.LengthDelimited : undefined;
    if (expect !== undefined && wireType !== expect) {
      throw new Error(`google.rpc.Status field ${field} has wire type ${wireType}`);
    }
    if (field === 1) status.code = reader.int32();
    else if (field === 2) status.message = reader.string();
    else if (field === 3) status.details.push(fromBinary(AnySchema, reader.bytes()));
    else reader.skip(wireType);
  }
  return status;
}

export function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && "code" in err && "metadata" in err && err.metadata instanceof grpc.Metadata;
}

/** The decoded `grpc-status-details-bin` trailer of a grpc-js error, if it has one. */
export function errorStatus(err: unknown): RpcStatus | undefined {
  if (!isServiceError(err)) return undefined;
  const raw = err.metadata.get("grpc-status-details-bin")[0];
  if (raw === undefined || typeof raw === "string") return undefined;
  return decodeRpcStatus(raw);
}

/** The `google.rpc.ErrorInfo.reason` a grpc-js error carries (the AWS exception name), if any. */
export function errorInfoReason(err: unknown): string | undefined {
  for (const detail of errorStatus(err)?.details ?? []) {
    const info = anyUnpack(detail, ErrorInfoSchema);
    if (info) return info.reason;
  }
  return undefined;
}

/**
 * Awaits a call that must fail, and checks its gRPC status code and its ErrorInfo reason — never
 * the message text. The `google.rpc.Status` in the trailer must agree with the status code.
 * Returns the error for further checks.
 */
export async function expectGrpcError(
  promise: Promise<unknown>,
  code: grpc.status,
  reason: string,
): Promise<grpc.ServiceError> {
  let caught: unknown;
  let settled: { value: unknown } | undefined;
  try {
    settled = { value: await promise };
  } catch (err) {
    caught = err;
  }
  if (settled) expect.unreachable(`expected ${grpc.status[code]} ${reason}, got ${JSON.stringify(settled.value)}`);
  if (!isServiceError(caught)) throw caught;
  expect({ code: grpc.status[caught.code], reason: errorInfoReason(caught) }).toEqual({
    code: grpc.status[code],
    reason,
  });
  expect(errorStatus(caught)?.code).toBe(code);
  return caught;
}
