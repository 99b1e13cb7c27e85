import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KmsError } from "../domain/errors.js";
import { additionalData } from "./encryption-context.js";
import { secureRandom, type RandomSource } from "./random.js";

const ROOT_KEY_BYTES = 32;
const WRAP_FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAP_LABEL = Buffer.from("kms/v1 wrap", "utf8");
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
 * Wraps and unwraps key-version material under the root key (the key hierarchy of
 * docs/ciphertext-formats.md).
 *
 * Wrapped form: `0x01 ‖ iv(12) ‖ AES-256-GCM ciphertext ‖ tag(16)`, encrypted directly under the
 * root key. Each key version is wrapped once, so the random-IV budget of NIST SP 800-38D §8.3
 * (2^32 invocations per key) is never approached and no per-message key derivation is needed.
 * The AAD binds the key id and version id, so a row copied to another key or version fails.
 */
export class RootKeyring {
  readonly #key: Buffer;
  readonly #random: RandomSource;

  constructor(key: Buffer, random: RandomSource) {
    if (key.length !== ROOT_KEY_BYTES) {
      throw new Error("root key must be 32 bytes");
    }
    this.#key = Buffer.from(key);
    this.#random = random;
  }

  /** Seals one version's secret material for storage. */
  wrap(keyId: string, versionId: string, material: Buffer): Buffer {
    const iv = this.#random(IV_BYTES);
    if (iv.length !== IV_BYTES) {
      throw new Error("random source returned the wrong number of bytes");
    }
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(wrapAad(keyId, versionId));
    return Buffer.concat([Buffer.of(WRAP_FORMAT_V1), iv, cipher.update(material), cipher.final(), cipher.getAuthTag()]);
  }

  /**
   * Opens a stored row. A failure means our own store is corrupt, was restored under another
   * root key, or had a row moved — an `Internal` fault, not the caller's ciphertext.
   */
  unwrap(keyId: string, versionId: string, wrapped: Buffer): Buffer {
    const fail = () => new KmsError("Internal", "Key material could not be unwrapped.");
    if (wrapped.length < 1 + IV_BYTES + TAG_BYTES || wrapped[0] !== WRAP_FORMAT_V1) {
      throw fail();
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const body = wrapped.subarray(1 + IV_BYTES, wrapped.length - TAG_BYTES);
    const tag = wrapped.subarray(wrapped.length - TAG_BYTES);
    let head: Buffer | undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(wrapAad(keyId, versionId));
      decipher.setAuthTag(tag);
      head = decipher.update(body);
      return Buffer.concat([head, decipher.final()]);
    } catch {
      throw fail();
    } finally {
      head?.fill(0);
    }
  }

  /**
   * A key check value: base64 of HMAC-SHA-256(root key, "kms/v1 key check value") truncated to
   * 16 bytes. Stored beside the data so that start-up with a different root key is refused
   * before anything is written; it reveals nothing usable about the key.
   */
  checkValue(): string {
    return createHmac("sha256", this.#key).update(CHECK_LABEL).digest().subarray(0, 16).toString("base64");
  }
}

function wrapAad(keyId: string, versionId: string): Buffer {
  return additionalData([WRAP_LABEL, Buffer.from(keyId, "utf8"), Buffer.from(versionId, "utf8")]);
}
