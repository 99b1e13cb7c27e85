import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const load = (env: Record<string, string>, argv: string[] = []) => loadConfig(argv, env);

function rejection(env: Record<string, string>, argv: string[] = []): string {
  let caught: unknown;
  try {
    load(env, argv);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const message = (caught as Error).message;
  expect(message).not.toContain("\n");
  return message;
}

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
      const message = rejection({ KMS_KEYPAIR_POOL: value });
      expect(message).toContain("KMS_KEYPAIR_POOL");
      expect(message).toContain("--keypair-pool");
    }
  });

  it("refuses a maximum age outside 1 s .. 24 h or without a known unit", () => {
    for (const value of ["999ms", "0", "25h", "1d", "1.5h", "-5s", "h"]) {
      expect(rejection({ KMS_KEYPAIR_POOL_MAX_AGE: value })).toContain("KMS_KEYPAIR_POOL_MAX_AGE");
    }
  });
});
