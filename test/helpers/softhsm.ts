import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where Debian's `softhsm2` puts the module (the first that exists wins). */
const MODULE_PATHS = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"];

/** A private SoftHSM2 token for one test run: its own config file and token directory. */
export interface SoftHsm {
  module: string;
  tokenLabel: string;
  pin: string;
  dir: string;
  tokenDir: string;
  /** `SOFTHSM2_CONF` for every process that opens the token (the server, `pkcs11-tool`). */
  conf: string;
  /** Creates a sensitive, non-extractable AES-256 key in the token, as docs/operations.md says. */
  createKey(label: string): void;
  /** The server's `KMS_ROOT_KEY_PKCS11_*` variables (and `SOFTHSM2_CONF`) for key `label`. */
  env(label?: string): Record<string, string>;
  remove(): void;
}

export function softHsmModule(): string {
  const found = MODULE_PATHS.find((p) => existsSync(p));
  if (!found)
    throw new Error(`SoftHSM2 is not installed (none of ${MODULE_PATHS.join(", ")}); .ci/run installs softhsm2`);
  return found;
}

/**
 * Initialises a token in a fresh temp directory with `softhsm2-util` and returns how to reach it.
 * Keys are made with `pkcs11-tool` (OpenSC), an independent client, so the tests also prove the
 * documented set-up commands.
 */
export function createSoftHsm(tokenLabel = "kms-test"): SoftHsm {
  const module = softHsmModule();
  const dir = mkdtempSync(join(tmpdir(), "kms-softhsm-"));
  const tokenDir = join(dir, "tokens");
  mkdirSync(tokenDir);
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const pin = "123456";
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  execFileSync("softhsm2-util", ["--init-token", "--free", "--label", tokenLabel, "--pin", pin, "--so-pin", "654321"], {
    env,
    stdio: "ignore",
  });
  return {
    module,
    tokenLabel,
    pin,
    dir,
    tokenDir,
    conf,
    createKey(label) {
      execFileSync(
        "pkcs11-tool",
        [
          "--module",
          module,
          "--token-label",
          tokenLabel,
          "--login",
          "--pin",
          pin,
          "--keygen",
          "--key-type",
          "AES:32",
          "--label",
          label,
          "--sensitive",
        ],
        { env, stdio: "ignore" },
      );
    },
    env(label) {
      return {
        SOFTHSM2_CONF: conf,
        KMS_ROOT_KEY_PKCS11_MODULE: module,
        KMS_ROOT_KEY_PKCS11_TOKEN: tokenLabel,
        KMS_ROOT_KEY_PKCS11_PIN: pin,
        ...(label === undefined ? {} : { KMS_ROOT_KEY_PKCS11_KEY: label }),
      };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
