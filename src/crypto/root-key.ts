import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { secureRandom } from "./random.js";

const ROOT_KEY_BYTES = 32;
const TAG_BYTES = 16;
const CHECK_LABEL = Buffer.from("kms/v1 key check value", "utf8");
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Where the root key came from; the caller logs a loud warning for the two dev-file sources. */
export type RootKeySource = "env" | "file" | "generated-dev-file" | "existing-dev-file";

/** Decodes canonical base64 of exactly 32 bytes, or returns null. */
function decodeKey(text: string): Buffer | null {
  const t = text.trim();
  if (!BASE64.test(t)) {
    return null;
  }
  const key = Buffer.from(t, "base64");
  if (key.length !== ROOT_KEY_BYTES) {
    key.fill(0);
    return null;
  }
  return key;
}

async function readKeyFile(path: string, error: string): Promise<Buffer> {
  const key = decodeKey(await readFile(path, "utf8"));
  if (key === null) {
    throw new Error(error);
  }
  return key;
}

/**
 * Loads the root key (`src/config.ts`, docs/operations.md "Root key"): `KMS_ROOT_KEY` (base64), else `KMS_ROOT_KEY_FILE`
 * (a file holding base64), else a development key in `<dataDir>/root-key.dev`.
 *
 * The dev file is created with mode 0600 inside a 0700 directory, and with `flag: "wx"` so that
 * two instances starting together never overwrite each other's key (which would make the
 * other's wrapped material unreadable); the loser reads the winner's file. Nothing is logged
 * here: the caller warns, and never prints the key.
 */
export async function loadRootKey(opts: {
  rootKey?: string;
  rootKeyFile?: string;
  dataDir: string;
}): Promise<{ key: Buffer; source: RootKeySource; path?: string }> {
  if (opts.rootKey !== undefined) {
    const key = decodeKey(opts.rootKey);
    if (key === null) {
      throw new Error("KMS_ROOT_KEY must be base64 of exactly 32 bytes");
    }
    return { key, source: "env" };
  }
  if (opts.rootKeyFile !== undefined) {
    const error = "KMS_ROOT_KEY_FILE must name a file holding base64 of exactly 32 bytes";
    return { key: await readKeyFile(opts.rootKeyFile, error), source: "file", path: opts.rootKeyFile };
  }
  const path = join(opts.dataDir, "root-key.dev");
  const error = `${path} must hold base64 of exactly 32 bytes (set KMS_ROOT_KEY or KMS_ROOT_KEY_FILE)`;
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const key = secureRandom(ROOT_KEY_BYTES);
  try {
    await writeFile(path, `${key.toString("base64")}\n`, { flag: "wx", mode: 0o600 });
    return { key, source: "generated-dev-file", path };
  } catch (err) {
    key.fill(0);
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
      throw err;
    }
  }
  // Another process may have created the file an instant ago and not yet written it.
  for (let attempt = 0; ; attempt++) {
    try {
      return { key: await readKeyFile(path, error), source: "existing-dev-file", path };
    } catch (err) {
      if (attempt >= 20) {
        throw err;
      }
      await sleep(25);
    }
  }
}

/**
 * A root key as the keyring sees it: AES-256-GCM with a caller-chosen 96-bit IV and AAD. The
 * in-process key below and the PKCS#11 key (`pkcs11-root-key.ts`, where the key never leaves the
 * token) are the two kinds; the keyring (`root-keyring.ts`) owns formats and ids.
 */
export interface RootKey {
  /** Derived from the key itself (a key check value), so a different key never passes for it. */
  readonly id: string;
  readonly kind: "raw" | "pkcs11";
  /** The key's label in the token (PKCS#11 only). */
  readonly label: string | null;
  /** AES-256-GCM: ciphertext ‖ 16-byte tag. */
  seal(iv: Buffer, aad: Buffer, plaintext: Buffer): Promise<Buffer>;
  /** The inverse; throws if the tag does not verify (the keyring turns that into `Internal`). */
  open(iv: Buffer, aad: Buffer, sealed: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * A root key held in process memory (`KMS_ROOT_KEY`, `KMS_ROOT_KEY_FILE`, the dev file). Its id is
 * `raw-` and the first 6 bytes (hex) of the key check value that start-up has always stored in
 * `kms_meta` ({@link rawRootKeyId}), so databases from before the keyring name their key the same.
 */
export class RawRootKey implements RootKey {
  readonly kind = "raw" as const;
  readonly label = null;
  readonly id: string;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== ROOT_KEY_BYTES) {
      throw new Error("root key must be 32 bytes");
    }
    this.#key = Buffer.from(key);
    this.id = rawRootKeyId(checkValue(this.#key));
  }

  async seal(iv: Buffer, aad: Buffer, plaintext: Buffer): Promise<Buffer> {
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  async open(iv: Buffer, aad: Buffer, sealed: Buffer): Promise<Buffer> {
    if (sealed.length < TAG_BYTES) throw new Error("sealed value too short");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const head = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([head, decipher.final()]);
    } finally {
      head.fill(0);
    }
  }

  /** A copy of the key, for registering it in the keyring wrapped under its predecessor. */
  exportKey(): Buffer {
    return Buffer.from(this.#key);
  }

  async close(): Promise<void> {
    this.#key.fill(0);
  }
}

/**
 * The key check value that start-up stored in `kms_meta` before the keyring existed: base64 of
 * HMAC-SHA-256(root key, "kms/v1 key check value") truncated to 16 bytes. It reveals nothing
 * usable about the key.
 */
function checkValue(key: Buffer): string {
  return createHmac("sha256", key).update(CHECK_LABEL).digest().subarray(0, 16).toString("base64");
}

/** The id of the raw root key whose stored check value is `check`. */
export function rawRootKeyId(check: string): string {
  return `raw-${Buffer.from(check, "base64").subarray(0, 6).toString("hex")}`;
}
