import { readFile } from "node:fs/promises";
import type { Config, Pkcs11Config } from "./config.js";
import type { OpenPkcs11Key } from "./core/root-keys/keyring-source.js";
import { Pkcs11RootKey } from "./crypto/pkcs11-root-key.js";
import { Pkcs11SetupError, Pkcs11Token } from "./crypto/pkcs11-token.js";
import { secureRandom } from "./crypto/random.js";
import { loadRootKey, RawRootKey, type RootKey, type RootKeySource } from "./crypto/root-key.js";

/** The root key this process was configured with, and its token when one is configured. */
export interface ConfiguredRootKey {
  key: RootKey;
  source: RootKeySource | "dev-memory" | "pkcs11";
  path?: string | undefined;
  token: Pkcs11Token | undefined;
  openPkcs11Key: OpenPkcs11Key | undefined;
}

/**
 * Loads the configured root key: from the PKCS#11 token when `KMS_ROOT_KEY_PKCS11_KEY` is set,
 * else `KMS_ROOT_KEY` / `KMS_ROOT_KEY_FILE` / the dev file (`crypto/root-key.ts`), else — in dev
 * mode — a key that lives only in memory. The token is opened (module loaded, login) here, at
 * start-up before anything listens, since those calls block. Token problems become
 * {@link Pkcs11SetupError}, printed as one line.
 */
export async function loadConfiguredRootKey(config: Config): Promise<ConfiguredRootKey> {
  const token = config.pkcs11 ? await openToken(config.pkcs11) : undefined;
  const openPkcs11Key = token ? (label: string) => Pkcs11RootKey.find(token, label) : undefined;
  try {
    if (config.pkcs11?.keyLabel !== undefined) {
      return { key: await openPkcs11Key!(config.pkcs11.keyLabel), source: "pkcs11", token, openPkcs11Key };
    }
    if (config.dev && !config.rootKey && !config.rootKeyFile) {
      const bytes = secureRandom(32);
      const key = new RawRootKey(bytes);
      bytes.fill(0);
      return { key, source: "dev-memory", token, openPkcs11Key };
    }
    const loaded = await loadRootKey(config);
    const key = new RawRootKey(loaded.key);
    loaded.key.fill(0);
    return { key, source: loaded.source, path: loaded.path, token, openPkcs11Key };
  } catch (err) {
    await token?.close();
    throw err;
  }
}

/**
 * The root key `kms root-key rotate` moves to, given as for start-up under `KMS_NEW_…` names:
 * `KMS_NEW_ROOT_KEY` (base64), `KMS_NEW_ROOT_KEY_FILE`, or `KMS_NEW_ROOT_KEY_PKCS11_KEY` (a key
 * label in the token of `KMS_ROOT_KEY_PKCS11_*`).
 */
export async function loadNewRootKey(
  env: NodeJS.ProcessEnv,
  openPkcs11Key: OpenPkcs11Key | undefined,
): Promise<RootKey> {
  const given = ["KMS_NEW_ROOT_KEY", "KMS_NEW_ROOT_KEY_FILE", "KMS_NEW_ROOT_KEY_PKCS11_KEY"].filter((n) => env[n]);
  if (given.length !== 1) {
    throw new Pkcs11SetupError(
      "set exactly one of KMS_NEW_ROOT_KEY, KMS_NEW_ROOT_KEY_FILE and KMS_NEW_ROOT_KEY_PKCS11_KEY: the root key to rotate to",
    );
  }
  const label = env.KMS_NEW_ROOT_KEY_PKCS11_KEY;
  if (label) {
    if (!openPkcs11Key) {
      throw new Pkcs11SetupError(
        "KMS_NEW_ROOT_KEY_PKCS11_KEY needs the token: set KMS_ROOT_KEY_PKCS11_MODULE, _TOKEN and _PIN",
      );
    }
    return openPkcs11Key(label);
  }
  let loaded: { key: Buffer };
  try {
    loaded = await loadRootKey({ rootKey: env.KMS_NEW_ROOT_KEY, rootKeyFile: env.KMS_NEW_ROOT_KEY_FILE, dataDir: "" });
  } catch {
    throw new Pkcs11SetupError("KMS_NEW_ROOT_KEY / KMS_NEW_ROOT_KEY_FILE must hold base64 of exactly 32 bytes");
  }
  const key = new RawRootKey(loaded.key);
  loaded.key.fill(0);
  return key;
}

async function openToken(c: Pkcs11Config): Promise<Pkcs11Token> {
  let pin = c.pin;
  if (pin === undefined) {
    try {
      pin = (await readFile(c.pinFile!, "utf8")).trim();
    } catch {
      throw new Pkcs11SetupError(`KMS_ROOT_KEY_PKCS11_PIN_FILE: cannot read ${c.pinFile}`);
    }
  }
  try {
    return Pkcs11Token.open({ module: c.module, tokenLabel: c.tokenLabel, pin });
  } catch (err) {
    if (err instanceof Pkcs11SetupError) throw err;
    // pkcs11js messages are the CKR_* name; they carry no PIN or key material.
    throw new Pkcs11SetupError(`the PKCS#11 token ${c.tokenLabel} could not be opened: ${(err as Error).message}`);
  }
}
