import { describe, expect, it } from "vitest";
import { ConfigError, flagFor, loadConfig } from "../../src/config.js";
import { specAvailable } from "../../src/crypto/post-quantum.js";

const load = (env: Record<string, string>, argv: string[] = []) => loadConfig(argv, env);

function rejects(env: Record<string, string>, variable: string, argv: string[] = []): string {
  let caught: unknown;
  try {
    load(env, argv);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const message = (caught as Error).message;
  expect(message).toContain(variable);
  expect(message).not.toContain("\n");
  return message;
}

describe("config", () => {
  it("has the documented defaults", () => {
    const c = load({});
    expect(c.listen).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(c.dataDir).toBe("./data");
    expect(c.databaseUrl).toBeUndefined();
    expect(c.keyPairConcurrency).toBe(c.workers);
    expect(c.workers).toBeGreaterThanOrEqual(1);
    expect(c.region).toBe("us-east-1");
    expect(c.accountId).toBe("000000000000");
    expect(c.logLevel).toBe("info");
    expect(c.tls).toBeUndefined();
    expect(c.corsOrigins).toEqual([]);
    expect(c.grpcServer).toBe("grpc-js");
  });

  it("reads every variable", () => {
    const c = load({
      KMS_LISTEN: "[::1]:9000",
      KMS_DATA_DIR: "/var/lib/kms",
      KMS_DATABASE_URL: "postgres://u@h:5432/db",
      KMS_ROOT_KEY_FILE: "/run/secrets/root",
      KMS_WORKERS: "3",
      KMS_KEYPAIR_CONCURRENCY: "1",
      KMS_TLS_CERT: "/c.pem",
      KMS_TLS_KEY: "/k.pem",
      KMS_REGION: "eu-west-1",
      KMS_ACCOUNT_ID: "123456789012",
      KMS_LOG_LEVEL: "debug",
      KMS_CORS_ORIGINS: "https://a.example,http://localhost:5173",
      KMS_TLS_CLIENT_CA: "/ca.pem",
      KMS_ADMIN_TOKEN: "kms_0123456789abcdef",
      KMS_ADMIN_ACCESS_KEY_ID: "AKIA0123456789ABCDEF",
      KMS_ADMIN_SECRET_ACCESS_KEY: "secret-access-key-0123",
      KMS_GRPC_SERVER: "connect-node",
    });
    expect(c.grpcServer).toBe("connect-node");
    expect(c.listen).toEqual({ host: "::1", port: 9000 });
    expect(c.dataDir).toBe("/var/lib/kms");
    expect(c.databaseUrl).toBe("postgres://u@h:5432/db");
    expect(c.rootKeyFile).toBe("/run/secrets/root");
    expect(c.workers).toBe(3);
    expect(c.keyPairConcurrency).toBe(1);
    expect(c.tls).toEqual({ cert: "/c.pem", key: "/k.pem", clientCa: "/ca.pem" });
    expect(c.admin).toEqual({
      token: "kms_0123456789abcdef",
      accessKeyId: "AKIA0123456789ABCDEF",
      secretAccessKey: "secret-access-key-0123",
    });
    expect(c.region).toBe("eu-west-1");
    expect(c.accountId).toBe("123456789012");
    expect(c.logLevel).toBe("debug");
    expect(c.corsOrigins).toEqual(["https://a.example", "http://localhost:5173"]);
  });

  it("lets flags override the environment, in both spellings", () => {
    const c = load({ KMS_WORKERS: "3" }, ["--workers", "5", "--data-dir=/tmp/x"]);
    expect(c.workers).toBe(5);
    expect(c.dataDir).toBe("/tmp/x");
    expect(load({ KMS_GRPC_SERVER: "connect-node" }, ["--grpc-server", "grpc-js"]).grpcServer).toBe("grpc-js");
    expect(flagFor("KMS_KEYPAIR_CONCURRENCY")).toBe("--keypair-concurrency");
  });

  it.each([
    [{ KMS_WORKERS: "0" }, "KMS_WORKERS"],
    [{ KMS_WORKERS: "two" }, "KMS_WORKERS"],
    [{ KMS_KEYPAIR_CONCURRENCY: "-1" }, "KMS_KEYPAIR_CONCURRENCY"],
    [{ KMS_LISTEN: "nope" }, "KMS_LISTEN"],
    [{ KMS_LISTEN: "127.0.0.1:70000" }, "KMS_LISTEN"],
    [{ KMS_ACCOUNT_ID: "12" }, "KMS_ACCOUNT_ID"],
    [{ KMS_REGION: "US East" }, "KMS_REGION"],
    [{ KMS_LOG_LEVEL: "loud" }, "KMS_LOG_LEVEL"],
    [{ KMS_CORS_ORIGINS: "ftp://x" }, "KMS_CORS_ORIGINS"],
    [{ KMS_TLS_CERT: "/c.pem" }, "KMS_TLS_KEY"],
    [{ KMS_ROOT_KEY: "a", KMS_ROOT_KEY_FILE: "b" }, "KMS_ROOT_KEY_FILE"],
    [{ KMS_TLS_CLIENT_CA: "/ca.pem" }, "KMS_TLS_CLIENT_CA"],
    [{ KMS_ROOT_KEY_PKCS11_KEY: "k", KMS_ROOT_KEY_PKCS11_PIN: "1" }, "KMS_ROOT_KEY_PKCS11_MODULE"],
    [{ KMS_ROOT_KEY_PKCS11_MODULE: "/m.so", KMS_ROOT_KEY_PKCS11_TOKEN: "t" }, "KMS_ROOT_KEY_PKCS11_PIN"],
    [
      {
        KMS_ROOT_KEY_PKCS11_MODULE: "/m.so",
        KMS_ROOT_KEY_PKCS11_TOKEN: "t",
        KMS_ROOT_KEY_PKCS11_PIN: "1",
        KMS_ROOT_KEY_PKCS11_PIN_FILE: "/p",
      },
      "KMS_ROOT_KEY_PKCS11_PIN_FILE",
    ],
    [
      {
        KMS_ROOT_KEY_PKCS11_MODULE: "/m.so",
        KMS_ROOT_KEY_PKCS11_TOKEN: "t",
        KMS_ROOT_KEY_PKCS11_PIN: "1",
        KMS_ROOT_KEY_PKCS11_KEY: "k",
        KMS_ROOT_KEY: "a",
      },
      "KMS_ROOT_KEY_PKCS11_KEY",
    ],
    [{ KMS_ROOT_KEY_PKCS11_TOKEN: "x".repeat(33) }, "KMS_ROOT_KEY_PKCS11_TOKEN"],
    [{ KMS_ADMIN_TOKEN: "short" }, "KMS_ADMIN_TOKEN"],
    [{ KMS_ADMIN_ACCESS_KEY_ID: "akia-lower" }, "KMS_ADMIN_ACCESS_KEY_ID"],
    [{ KMS_GRPC_SERVER: "grpc-go" }, "KMS_GRPC_SERVER"],
  ])("rejects %o naming %s", (env, variable) => {
    rejects(env, variable);
  });

  it("reads the PKCS#11 root key, or the token alone beside a raw root key", () => {
    const token = {
      KMS_ROOT_KEY_PKCS11_MODULE: "/m.so",
      KMS_ROOT_KEY_PKCS11_TOKEN: "kms",
      KMS_ROOT_KEY_PKCS11_PIN_FILE: "/p",
    };
    expect(load({ ...token, KMS_ROOT_KEY_PKCS11_KEY: "root" }).pkcs11).toEqual({
      module: "/m.so",
      tokenLabel: "kms",
      pin: undefined,
      pinFile: "/p",
      keyLabel: "root",
    });
    const beside = load({ ...token, KMS_ROOT_KEY_FILE: "/r" });
    expect(beside.pkcs11?.keyLabel).toBeUndefined();
    expect(beside.rootKeyFile).toBe("/r");
    expect(load({}).pkcs11).toBeUndefined();
  });

  it("bounds V8's heap growth at 100 % by default; 0 hands the choice back to V8", () => {
    expect(load({}).heapGrowthPercent).toBe(100);
    expect(load({ KMS_HEAP_GROWTH_PERCENT: "0" }).heapGrowthPercent).toBe(0);
    expect(load({ KMS_HEAP_GROWTH_PERCENT: "250" }, ["--heap-growth-percent=40"]).heapGrowthPercent).toBe(40);
    for (const bad of ["-1", "1001", "1.5", "lots"]) {
      expect(rejects({ KMS_HEAP_GROWTH_PERCENT: bad }, "KMS_HEAP_GROWTH_PERCENT")).toContain("0 (V8 chooses) to 1000");
    }
  });

  it("says what a variable accepts", () => {
    expect(rejects({ KMS_WORKERS: "0" }, "KMS_WORKERS")).toContain("integer from 1 to 256");
  });

  it("rejects unknown flags and flags without a value", () => {
    expect(() => load({}, ["--nope"])).toThrow(ConfigError);
    rejects({}, "KMS_WORKERS", ["--workers"]);
  });

  it("limits slow and flooding clients by default, and reads every limit", () => {
    expect(load({}).limits).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
      maxConcurrentStreams: 128,
      maxConnections: 900,
    });
    const c = load({ KMS_HEADERS_TIMEOUT_MS: "500", KMS_IDLE_TIMEOUT_MS: "1500", KMS_MAX_CONNECTIONS: "20" }, [
      "--request-timeout-ms",
      "700",
      "--max-concurrent-streams=8",
    ]);
    expect(c.limits).toEqual({
      headersTimeoutMs: 500,
      requestTimeoutMs: 700,
      idleTimeoutMs: 1500,
      maxConcurrentStreams: 8,
      maxConnections: 20,
    });
    rejects({ KMS_HEADERS_TIMEOUT_MS: "5000", KMS_REQUEST_TIMEOUT_MS: "4000" }, "KMS_HEADERS_TIMEOUT_MS");
    rejects({ KMS_MAX_CONCURRENT_STREAMS: "0" }, "KMS_MAX_CONCURRENT_STREAMS");
    rejects({ KMS_IDLE_TIMEOUT_MS: "10" }, "KMS_IDLE_TIMEOUT_MS");
    rejects({ KMS_MAX_CONNECTIONS: "many" }, "KMS_MAX_CONNECTIONS");
  });
});

describe("KMS_KEYPAIR_POOL and KMS_KEYPAIR_POOL_MAX_AGE", () => {
  it("default: on with small depths and a one-hour maximum age when there is more than one worker", () => {
    expect(load({ KMS_WORKERS: "2" }).keyPairPool).toEqual({
      targets: { RSA_4096: 2, RSA_3072: 2, RSA_2048: 4, EC_P256: 16, EC_P256K: 16 },
      maxAgeMs: 3_600_000,
    });
  });

  it("default: off with a single worker (no thread to spare for refilling)", () => {
    expect(load({ KMS_WORKERS: "1" }).keyPairPool).toBeUndefined();
    expect(load({ KMS_WORKERS: "1", KMS_KEYPAIR_POOL: "EC_P256=4" }).keyPairPool?.targets).toEqual({ EC_P256: 4 });
  });

  it("accepts every pair spec of the catalogue, the P-384, P-521 and Ed25519 ones included", () => {
    const env = { KMS_WORKERS: "2", KMS_KEYPAIR_POOL: "EC_P384=3,EC_P521=2,ED25519=5" };
    expect(load(env).keyPairPool?.targets).toEqual({ EC_P384: 3, EC_P521: 2, ED25519: 5 });
  });

  it("reads SPEC=N lists from the environment and from --keypair-pool (the flag wins)", () => {
    const env = { KMS_KEYPAIR_POOL: "RSA_4096=8,RSA_3072=4,RSA_2048=16,EC_P256=64,EC_P256K=64" };
    expect(load(env).keyPairPool?.targets).toEqual({
      RSA_4096: 8,
      RSA_3072: 4,
      RSA_2048: 16,
      EC_P256: 64,
      EC_P256K: 64,
    });
    expect(load(env, ["--keypair-pool", "EC_P256=1000"]).keyPairPool?.targets).toEqual({ EC_P256: 1000 });
    expect(load({}, ["--keypair-pool=RSA_2048=0, EC_P256K=3"]).keyPairPool?.targets).toEqual({
      RSA_2048: 0,
      EC_P256K: 3,
    });
  });

  it("pools ML-KEM pairs only where the runtime has ML-KEM; elsewhere such a list stops start-up", () => {
    const env = { KMS_KEYPAIR_POOL: "ML_KEM_768=2,EC_P256=1" };
    if (specAvailable("ML_KEM_768")) {
      expect(load(env).keyPairPool?.targets).toEqual({ ML_KEM_768: 2, EC_P256: 1 });
    } else {
      expect(rejects(env, "KMS_KEYPAIR_POOL")).not.toContain("ML_KEM_768");
    }
  });

  it("off, 0 and all-zero lists disable the pool", () => {
    for (const value of ["off", "0", "RSA_4096=0", "EC_P256=0,RSA_2048=0"]) {
      expect(load({ KMS_WORKERS: "4", KMS_KEYPAIR_POOL: value }).keyPairPool).toBeUndefined();
    }
  });

  it("reads the maximum age in ms, s, m, h or bare seconds", () => {
    const age = (v: string) => load({ KMS_WORKERS: "2", KMS_KEYPAIR_POOL_MAX_AGE: v }).keyPairPool?.maxAgeMs;
    expect(age("90")).toBe(90_000);
    expect(age("1500ms")).toBe(1_500);
    expect(age("2s")).toBe(2_000);
    expect(age("30m")).toBe(1_800_000);
    expect(age("24h")).toBe(86_400_000);
  });

  it("refuses a bad pool list with one line naming the variable and the flag", () => {
    for (const value of [
      "RSA_1024=4",
      "rsa_4096=4",
      "EC_P256",
      "EC_P256=-1",
      "EC_P256=10001",
      "EC_P256=1,EC_P256=2",
      "on",
      "EC_P256=1,",
    ]) {
      const message = rejects({ KMS_KEYPAIR_POOL: value }, "KMS_KEYPAIR_POOL");
      expect(message).toContain("--keypair-pool");
    }
  });

  it("refuses a maximum age outside 1 s .. 24 h or without a known unit", () => {
    for (const value of ["999ms", "0", "25h", "1d", "1.5h", "-5s", "h"]) {
      rejects({ KMS_KEYPAIR_POOL_MAX_AGE: value }, "KMS_KEYPAIR_POOL_MAX_AGE");
    }
  });
});
