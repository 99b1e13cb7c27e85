import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

/** Dev mode and the seed file in the configuration: `--dev` takes no value; loopback only. */
describe("dev mode and seed file settings", () => {
  it("--dev needs no value and keeps the default loopback listener", () => {
    const config = loadConfig(["--dev", "--seed-file", "seed.yaml"], {});
    expect([config.dev, config.listen.host, config.seedFile]).toEqual([true, "127.0.0.1", "seed.yaml"]);
    expect(loadConfig([], { KMS_DEV: "true", KMS_SEED_FILE: "s.yaml" })).toMatchObject({
      dev: true,
      seedFile: "s.yaml",
    });
    expect(loadConfig([], { KMS_DEV: "0" }).dev).toBe(false);
    expect(loadConfig([], {}).dev).toBe(false);
  });

  it("accepts every loopback address and refuses any other, naming KMS_DEV", () => {
    for (const listen of ["127.0.0.1:0", "127.3.2.1:8080", "[::1]:0", "localhost:9000"]) {
      expect(loadConfig(["--dev", "--listen", listen], {}).dev).toBe(true);
    }
    for (const listen of ["0.0.0.0:8080", "[::]:0", "10.0.0.5:80", "kms.example.com:443"]) {
      expect(() => loadConfig(["--dev", "--listen", listen], {})).toThrow(ConfigError);
      expect(() => loadConfig([], { KMS_DEV: "1", KMS_LISTEN: listen })).toThrow(/^KMS_DEV \(--dev\) refuses/);
    }
    expect(loadConfig(["--listen", "0.0.0.0:8080"], {}).dev).toBe(false);
  });

  it("refuses a KMS_DEV value it does not know", () => {
    expect(() => loadConfig([], { KMS_DEV: "yes" })).toThrow(/^KMS_DEV \(--dev\) is invalid/);
  });
});
