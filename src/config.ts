import { availableParallelism } from "node:os";
import { z } from "zod";
import type { TracesExporter } from "./telemetry/tracing.js";
import { DEFAULT_LIMITS, type ListenerLimits } from "./listener-limits.js";
import {
  DEFAULT_POOL_MAX_AGE_MS,
  DEFAULT_POOL_TARGETS,
  KEYPAIR_POOL_ACCEPTS,
  keyPairPoolMaxAgeSchema,
  keyPairPoolSchema,
  type PoolTargets,
} from "./config-keypair-pool.js";

/**
 * Configuration from `KMS_*` environment variables and matching CLI flags (README.md, "Configuration").
 * A flag `--data-dir x` is the variable `KMS_DATA_DIR=x`; flags win over the environment.
 * A bad value stops start-up with one line naming the variable and what it accepts.
 */
/** Where the PKCS#11 root key is; the PIN is given inline or as a file. */
export interface Pkcs11Config {
  module: string;
  tokenLabel: string;
  pin: string | undefined;
  pinFile: string | undefined;
  keyLabel: string | undefined;
}

export interface Config {
  listen: { host: string; port: number };
  dataDir: string;
  databaseUrl: string | undefined;
  rootKey: string | undefined;
  rootKeyFile: string | undefined;
  /**
   * The PKCS#11 token (`KMS_ROOT_KEY_PKCS11_*`, docs/operations.md "PKCS#11 root key"). With
   * `keyLabel` the root key lives in the token; without it the token only serves root keys that
   * a rotation moves into it (`kms root-key rotate`).
   */
  pkcs11: Pkcs11Config | undefined;
  workers: number;
  /**
   * Server processes on the one port (`KMS_PROCESSES`, default: available parallelism), through
   * `node:cluster`; 1 serves in this process alone. Dev mode (an in-memory database) is always 1.
   */
  processes: number;
  keyPairConcurrency: number;
  /**
   * Pre-generated key pairs (`KMS_KEYPAIR_POOL`, `KMS_KEYPAIR_POOL_MAX_AGE`); undefined when off.
   * Unset, the pool is on with {@link DEFAULT_POOL_TARGETS} when there is more than one worker
   * (a single worker has no thread to spare for refilling).
   */
  keyPairPool: { targets: PoolTargets; maxAgeMs: number } | undefined;
  tls: { cert: string; key: string; clientCa?: string | undefined } | undefined;
  region: string;
  accountId: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  corsOrigins: string[];
  /** Timeouts and caps against clients that stall or flood the listener. */
  limits: ListenerLimits;
  /** How long shutdown waits for in-flight calls before closing connections. */
  shutdownGraceMs: number;
  /**
   * V8's old-generation growth between full collections, in percent (`KMS_HEAP_GROWTH_PERCENT`,
   * default {@link DEFAULT_HEAP_GROWTH_PERCENT}; 0 = V8's own choice): `src/runtime/heap-growth.ts`.
   */
  heapGrowthPercent: number;
  /** Serve the web console at `/console/` (`KMS_CONSOLE`, default true). */
  console: boolean;
  /**
   * Other origins the console served here may call (`KMS_CONSOLE_API_ORIGINS`), added to its
   * `connect-src` after `'self'`; normalized (`new URL(o).origin`), without duplicates.
   */
  consoleApiOrigins: string[];
  /**
   * Which stack serves `application/grpc` streams (`KMS_GRPC_SERVER`): `grpc-js` (default) hands
   * them to `@grpc/grpc-js`, `connect-node` leaves them to connect-node with every other protocol.
   */
  grpcServer: GrpcServer;
  /** Preset credentials of the admin principal made on first start (else generated). */
  admin: { token?: string | undefined; accessKeyId?: string | undefined; secretAccessKey?: string | undefined };
  /** A seed file applied at every start (`KMS_SEED_FILE`, docs/seeding.md). */
  seedFile: string | undefined;
  /**
   * Dev mode (`KMS_DEV=1`, `kms serve --dev`): in-memory SQLite and root key, the admin's
   * credentials printed at start-up, any well-formed SigV4 access key accepted as the admin;
   * only on a loopback address.
   */
  dev: boolean;
  /**
   * OpenTelemetry trace export (`OTEL_TRACES_EXPORTER`): `otlp` turns it on, unset or `none`
   * leaves it off (`src/telemetry/tracing.ts`; the other `OTEL_*` variables are the SDK's own).
   */
  tracesExporter: TracesExporter;
}

/** Memory under load against GC CPU: bench/REPORT.md, "Heap growth". */
export const DEFAULT_HEAP_GROWTH_PERCENT = 100;

/** The gRPC stacks `KMS_GRPC_SERVER` chooses between. */
export const GRPC_SERVERS = ["grpc-js", "connect-node"] as const;
export type GrpcServer = (typeof GRPC_SERVERS)[number];

/** A configuration problem; its message is the one line printed before exiting non-zero. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);
const milliseconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `scheme://host[:port]`: http(s), a DNS name, IPv4 or bracketed IPv6, an optional port. */
const ORIGIN = /^https?:\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;

/**
 * `value` as a browser spells its origin (lower-case host, no default port), or undefined when it
 * is not exactly an http(s) origin: no path (not even `/`), query, fragment, credentials or
 * wildcard. Safe to put into a Content-Security-Policy source list.
 */
export function normalizeOrigin(value: string): string | undefined {
  if (!ORIGIN.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.origin === "null" ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/** Each variable with its schema and the words printed when a value does not fit. */
const VARIABLES = {
  KMS_LISTEN: {
    schema: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/),
    accepts: "host:port, e.g. 127.0.0.1:8080",
  },
  KMS_DATA_DIR: { schema: z.string().min(1), accepts: "a directory path" },
  KMS_DATABASE_URL: {
    schema: z.string().regex(/^(postgres|postgresql):\/\/.+|^(sqlite:)?.+$/),
    accepts: "postgres://user@host:port/db, or a SQLite file path",
  },
  KMS_ROOT_KEY: { schema: z.string().min(1), accepts: "base64 of exactly 32 bytes" },
  KMS_ROOT_KEY_FILE: { schema: z.string().min(1), accepts: "a path to a file holding base64 of 32 bytes" },
  KMS_ROOT_KEY_PKCS11_MODULE: { schema: z.string().min(1), accepts: "a path to a PKCS#11 module (.so)" },
  KMS_ROOT_KEY_PKCS11_TOKEN: { schema: z.string().min(1).max(32), accepts: "a token label (1 to 32 characters)" },
  KMS_ROOT_KEY_PKCS11_PIN: { schema: z.string().min(1), accepts: "the token's user PIN" },
  KMS_ROOT_KEY_PKCS11_PIN_FILE: { schema: z.string().min(1), accepts: "a path to a file holding the user PIN" },
  KMS_ROOT_KEY_PKCS11_KEY: { schema: z.string().min(1), accepts: "the label of an AES-256 key in the token" },
  KMS_WORKERS: { schema: positiveInt(256), accepts: "an integer from 1 to 256" },
  KMS_PROCESSES: { schema: positiveInt(256), accepts: "an integer from 1 to 256" },
  KMS_KEYPAIR_CONCURRENCY: { schema: positiveInt(1024), accepts: "an integer from 1 to 1024" },
  KMS_KEYPAIR_POOL: { schema: keyPairPoolSchema, accepts: KEYPAIR_POOL_ACCEPTS },
  KMS_KEYPAIR_POOL_MAX_AGE: {
    schema: keyPairPoolMaxAgeSchema,
    accepts: "a duration from 1s to 24h such as 90s, 30m or 1h (a bare number is seconds)",
  },
  KMS_TLS_CERT: { schema: z.string().min(1), accepts: "a path to a PEM certificate chain" },
  KMS_TLS_KEY: { schema: z.string().min(1), accepts: "a path to a PEM private key" },
  KMS_TLS_CLIENT_CA: { schema: z.string().min(1), accepts: "a path to PEM CA certificates for client certificates" },
  KMS_REGION: { schema: z.string().regex(/^[a-z0-9-]{1,32}$/), accepts: "a region name like us-east-1" },
  KMS_ACCOUNT_ID: { schema: z.string().regex(/^\d{12}$/), accepts: "12 digits" },
  KMS_LOG_LEVEL: {
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    accepts: "one of fatal, error, warn, info, debug, trace, silent",
  },
  KMS_CORS_ORIGINS: {
    schema: z.string().regex(/^(\*|https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*)$/),
    accepts: "* or a comma-separated list of origins like https://app.example.com",
  },
  KMS_CONSOLE: { schema: z.enum(["true", "false"]), accepts: "true or false" },
  KMS_CONSOLE_API_ORIGINS: {
    schema: z
      .string()
      .refine((v) => v.split(",").every((o) => normalizeOrigin(o) !== undefined))
      .transform((v) => [...new Set(v.split(",").map((o) => normalizeOrigin(o)!))]),
    accepts: "a comma-separated list of origins like https://kms.example.com (no path, no *)",
  },
  KMS_HEADERS_TIMEOUT_MS: { schema: milliseconds(100, 600_000), accepts: "milliseconds, 100..600000" },
  KMS_REQUEST_TIMEOUT_MS: { schema: milliseconds(100, 3_600_000), accepts: "milliseconds, 100..3600000" },
  KMS_IDLE_TIMEOUT_MS: { schema: milliseconds(100, 86_400_000), accepts: "milliseconds, 100..86400000" },
  KMS_MAX_CONCURRENT_STREAMS: { schema: positiveInt(10_000), accepts: "an integer from 1 to 10000" },
  KMS_MAX_CONNECTIONS: { schema: positiveInt(1_000_000), accepts: "an integer from 1 to 1000000" },
  KMS_SHUTDOWN_GRACE_MS: { schema: z.coerce.number().int().min(0).max(600_000), accepts: "milliseconds, 0..600000" },
  KMS_HEAP_GROWTH_PERCENT: {
    schema: z.coerce.number().int().min(0).max(1000),
    accepts: "an integer from 0 (V8 chooses) to 1000",
  },
  KMS_GRPC_SERVER: { schema: z.enum(GRPC_SERVERS), accepts: "grpc-js or connect-node" },
  KMS_ADMIN_TOKEN: { schema: z.string().regex(/^[A-Za-z0-9._~+/=-]{16,512}$/), accepts: "16 to 512 token characters" },
  KMS_ADMIN_ACCESS_KEY_ID: { schema: z.string().regex(/^[A-Z0-9]{16,128}$/), accepts: "16 to 128 of [A-Z0-9]" },
  KMS_ADMIN_SECRET_ACCESS_KEY: { schema: z.string().min(16).max(128), accepts: "16 to 128 characters" },
  KMS_SEED_FILE: { schema: z.string().min(1), accepts: "a path to a seed file (YAML, docs/seeding.md)" },
  KMS_DEV: { schema: z.enum(["1", "true", "0", "false"]), accepts: "1 or true (dev mode), 0 or false" },
} as const;

/** `kms serve --dev` is the one flag without a value. */
const VALUELESS: Partial<Record<string, string>> = { "--dev": "1" };

/** Loopback hosts: dev mode listens only on these. */
const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

type VariableName = keyof typeof VARIABLES;

/** `KMS_DATA_DIR` → `--data-dir`. */
export function flagFor(name: VariableName): string {
  return `--${name.slice(4).toLowerCase().replaceAll("_", "-")}`;
}

function readFlags(argv: readonly string[]): Partial<Record<VariableName, string>> {
  const byFlag = new Map(Object.keys(VARIABLES).map((n) => [flagFor(n as VariableName), n as VariableName]));
  const out: Partial<Record<VariableName, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const name = byFlag.get(flag);
    if (!name) throw new ConfigError(`unknown option ${flag}; options are ${[...byFlag.keys()].join(", ")}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : (VALUELESS[flag] ?? argv[++i]);
    if (value === undefined) throw new ConfigError(`${flag} (${name}) needs a value: ${VARIABLES[name].accepts}`);
    out[name] = value;
  }
  return out;
}

/** Every setting as `kms serve --help` lists it: the variable, its flag and what it accepts. */
export function configOptions(): { variable: string; flag: string; accepts: string }[] {
  return (Object.keys(VARIABLES) as VariableName[]).map((variable) => ({
    variable,
    flag: flagFor(variable),
    accepts: VARIABLES[variable].accepts,
  }));
}

/** Parses and validates; throws {@link ConfigError} with one line on the first bad value. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const raw: Partial<Record<VariableName, string>> = { ...pickEnv(env), ...readFlags(argv) };
  const get = <N extends VariableName>(name: N): z.output<(typeof VARIABLES)[N]["schema"]> | undefined => {
    const value = raw[name];
    if (value === undefined || value === "") return undefined;
    const parsed = VARIABLES[name].schema.safeParse(value);
    if (!parsed.success) {
      throw new ConfigError(`${name} (${flagFor(name)}) is invalid: expected ${VARIABLES[name].accepts}`);
    }
    return parsed.data as z.output<(typeof VARIABLES)[N]["schema"]>;
  };

  const listen = get("KMS_LISTEN") ?? "127.0.0.1:8080";
  const cut = listen.lastIndexOf(":");
  const port = Number(listen.slice(cut + 1));
  if (port > 65535) throw new ConfigError(`KMS_LISTEN (--listen) is invalid: expected ${VARIABLES.KMS_LISTEN.accepts}`);
  const host = listen.slice(0, cut).replace(/^\[(.*)\]$/, "$1");

  const cert = get("KMS_TLS_CERT");
  const key = get("KMS_TLS_KEY");
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError("KMS_TLS_CERT and KMS_TLS_KEY must be set together: expected two PEM file paths");
  }
  const clientCa = get("KMS_TLS_CLIENT_CA");
  if (clientCa !== undefined && cert === undefined) {
    throw new ConfigError("KMS_TLS_CLIENT_CA needs KMS_TLS_CERT and KMS_TLS_KEY: client certificates need TLS");
  }
  const rootKey = get("KMS_ROOT_KEY");
  const rootKeyFile = get("KMS_ROOT_KEY_FILE");
  if (rootKey !== undefined && rootKeyFile !== undefined) {
    throw new ConfigError("KMS_ROOT_KEY and KMS_ROOT_KEY_FILE are exclusive: set one of them");
  }
  const pkcs11 = pkcs11Config(get);
  if (pkcs11?.keyLabel !== undefined && (rootKey !== undefined || rootKeyFile !== undefined)) {
    throw new ConfigError(
      "KMS_ROOT_KEY_PKCS11_KEY and KMS_ROOT_KEY / KMS_ROOT_KEY_FILE are exclusive: the root key is in the token or outside it",
    );
  }
  const workers = get("KMS_WORKERS") ?? Math.max(1, availableParallelism());
  const limits: ListenerLimits = {
    headersTimeoutMs: get("KMS_HEADERS_TIMEOUT_MS") ?? DEFAULT_LIMITS.headersTimeoutMs,
    requestTimeoutMs: get("KMS_REQUEST_TIMEOUT_MS") ?? DEFAULT_LIMITS.requestTimeoutMs,
    idleTimeoutMs: get("KMS_IDLE_TIMEOUT_MS") ?? DEFAULT_LIMITS.idleTimeoutMs,
    maxConcurrentStreams: get("KMS_MAX_CONCURRENT_STREAMS") ?? DEFAULT_LIMITS.maxConcurrentStreams,
    maxConnections: get("KMS_MAX_CONNECTIONS") ?? DEFAULT_LIMITS.maxConnections,
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      "KMS_HEADERS_TIMEOUT_MS must not exceed KMS_REQUEST_TIMEOUT_MS: headers are part of the request",
    );
  }
  const pool = get("KMS_KEYPAIR_POOL");
  const poolTargets = pool === undefined ? (workers > 1 ? DEFAULT_POOL_TARGETS : null) : pool;
  const origins = get("KMS_CORS_ORIGINS");
  const devValue = get("KMS_DEV");
  const dev = devValue === "1" || devValue === "true";
  if (dev && !LOOPBACK.test(host)) {
    throw new ConfigError(
      `KMS_DEV (--dev) refuses to listen on ${host}: dev mode accepts any AWS access key as the admin, so KMS_LISTEN must be a loopback address (127.0.0.1, ::1 or localhost)`,
    );
  }
  return {
    listen: { host, port },
    dataDir: get("KMS_DATA_DIR") ?? "./data",
    databaseUrl: get("KMS_DATABASE_URL"),
    rootKey,
    rootKeyFile,
    pkcs11,
    workers,
    processes: dev ? 1 : (get("KMS_PROCESSES") ?? Math.max(1, availableParallelism())),
    keyPairConcurrency: get("KMS_KEYPAIR_CONCURRENCY") ?? workers,
    keyPairPool: poolTargets
      ? { targets: poolTargets, maxAgeMs: get("KMS_KEYPAIR_POOL_MAX_AGE") ?? DEFAULT_POOL_MAX_AGE_MS }
      : undefined,
    tls: cert !== undefined && key !== undefined ? { cert, key, clientCa } : undefined,
    region: get("KMS_REGION") ?? "us-east-1",
    accountId: get("KMS_ACCOUNT_ID") ?? "000000000000",
    logLevel: get("KMS_LOG_LEVEL") ?? "info",
    corsOrigins: origins ? origins.split(",") : [],
    limits,
    shutdownGraceMs: get("KMS_SHUTDOWN_GRACE_MS") ?? 10_000,
    heapGrowthPercent: get("KMS_HEAP_GROWTH_PERCENT") ?? DEFAULT_HEAP_GROWTH_PERCENT,
    console: get("KMS_CONSOLE") !== "false",
    consoleApiOrigins: get("KMS_CONSOLE_API_ORIGINS") ?? [],
    grpcServer: get("KMS_GRPC_SERVER") ?? "grpc-js",
    admin: {
      token: get("KMS_ADMIN_TOKEN"),
      accessKeyId: get("KMS_ADMIN_ACCESS_KEY_ID"),
      secretAccessKey: get("KMS_ADMIN_SECRET_ACCESS_KEY"),
    },
    seedFile: get("KMS_SEED_FILE"),
    dev,
    tracesExporter: tracesExporterOf(env),
  };
}

/**
 * `OTEL_TRACES_EXPORTER` and `OTEL_SDK_DISABLED` as the OpenTelemetry specification names them.
 * Unlike the specification's default (`otlp`), tracing stays off unless asked for: a service
 * should not start sending data to a collector nobody configured. Traces go over OTLP/HTTP, so
 * `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL=grpc` is refused rather than silently ignored.
 */
function tracesExporterOf(env: NodeJS.ProcessEnv): TracesExporter {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim() || "none";
  if (exporter !== "otlp" && exporter !== "none") {
    throw new ConfigError("OTEL_TRACES_EXPORTER is invalid: expected otlp or none");
  }
  const protocolVariable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  if (exporter === "otlp" && env[protocolVariable] === "grpc") {
    throw new ConfigError(
      `${protocolVariable} is invalid: expected http/json or http/protobuf (traces go over OTLP/HTTP)`,
    );
  }
  return exporter === "otlp" ? "otlp" : undefined;
}

function pickEnv(env: NodeJS.ProcessEnv): Partial<Record<VariableName, string>> {
  const out: Partial<Record<VariableName, string>> = {};
  for (const name of Object.keys(VARIABLES) as VariableName[]) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The `KMS_ROOT_KEY_PKCS11_*` group: all-or-nothing, exactly one of the PIN and the PIN file. */
function pkcs11Config(get: <N extends VariableName>(name: N) => unknown): Pkcs11Config | undefined {
  const module = get("KMS_ROOT_KEY_PKCS11_MODULE") as string | undefined;
  const tokenLabel = get("KMS_ROOT_KEY_PKCS11_TOKEN") as string | undefined;
  const pin = get("KMS_ROOT_KEY_PKCS11_PIN") as string | undefined;
  const pinFile = get("KMS_ROOT_KEY_PKCS11_PIN_FILE") as string | undefined;
  const keyLabel = get("KMS_ROOT_KEY_PKCS11_KEY") as string | undefined;
  if ([module, tokenLabel, pin, pinFile, keyLabel].every((v) => v === undefined)) return undefined;
  if (module === undefined || tokenLabel === undefined) {
    throw new ConfigError(
      "KMS_ROOT_KEY_PKCS11_MODULE and KMS_ROOT_KEY_PKCS11_TOKEN must be set together with the other KMS_ROOT_KEY_PKCS11_* variables",
    );
  }
  if ((pin === undefined) === (pinFile === undefined)) {
    throw new ConfigError("set exactly one of KMS_ROOT_KEY_PKCS11_PIN and KMS_ROOT_KEY_PKCS11_PIN_FILE");
  }
  return { module, tokenLabel, pin, pinFile, keyLabel };
}
