import { KmsError } from "../domain/errors.js";
import { additionalData } from "./encryption-context.js";
import type { RandomSource } from "./random.js";
import type { RootKey } from "./root-key.js";

const WRAP_FORMAT_V1 = 0x01;
const WRAP_FORMAT_V2 = 0x02;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_ID_BYTES = 64;
const WRAP_LABEL_V1 = Buffer.from("kms/v1 wrap", "utf8");
const WRAP_LABEL_V2 = Buffer.from("kms/v2 wrap", "utf8");
const ROOT_KEY_LABEL = Buffer.from("kms/v2 root key", "utf8");

/** Finds a root key the keyring does not hold yet (`src/core/root-keys/keyring-source.ts`); null if none. */
export type LearnRootKey = (id: string, ring: RootKeyring) => Promise<RootKey | null>;

/**
 * Every root key this process can use, and the one new material is wrapped under (docs/operations.md
 * "Root key rotation"). Key-version material, principal secrets and import tokens are wrapped here.
 *
 * Wrapped form v2: `0x02 ‖ id length (1) ‖ root key id ‖ iv(12) ‖ AES-256-GCM ciphertext ‖ tag(16)`.
 * Naming the root key in each blob is what makes rotation online and resumable: a row says which
 * key opens it, so rows under the old and the new key coexist while a rotation runs, and a
 * re-run picks up where a killed one stopped. The AAD binds the root key id, the key id and the
 * version id, so a row copied to another key or version, or relabelled, fails. Each version is
 * wrapped once per rotation, so the random-IV budget of NIST SP 800-38D §8.3 (2^32 invocations
 * per key) is never approached. Form v1 (`0x01 ‖ iv ‖ ct ‖ tag`, written before the keyring)
 * is still read, under the raw key that databases of that age name in their check value.
 */
export class RootKeyring {
  readonly #keys = new Map<string, RootKey>();
  readonly #random: RandomSource;
  readonly #learn: LearnRootKey | undefined;
  readonly #legacyId: string | undefined;
  readonly #onClose: (() => Promise<void>) | undefined;
  readonly #learning = new Map<string, Promise<RootKey | null>>();
  #activeId: string;

  constructor(opts: {
    keys: RootKey[];
    active: string;
    random: RandomSource;
    learn?: LearnRootKey;
    legacyId?: string | undefined;
    /** Releases what the keys share (a PKCS#11 token) after the keys are closed. */
    onClose?: () => Promise<void>;
  }) {
    for (const key of opts.keys) this.#keys.set(key.id, key);
    if (!this.#keys.has(opts.active)) throw new Error("the active root key must be in the keyring");
    this.#activeId = opts.active;
    this.#random = opts.random;
    this.#learn = opts.learn;
    this.#legacyId = opts.legacyId;
    this.#onClose = opts.onClose;
  }

  /** The root key new material is wrapped under. */
  get activeId(): string {
    return this.#activeId;
  }

  /** Ids of the root keys this process holds. */
  ids(): string[] {
    return [...this.#keys.keys()];
  }

  get(id: string): RootKey | undefined {
    return this.#keys.get(id);
  }

  add(key: RootKey): void {
    if (!this.#keys.has(key.id)) this.#keys.set(key.id, key);
  }

  /** Switches new wraps to `id`, learning it first if needed; false when it cannot be found. */
  async activate(id: string): Promise<boolean> {
    if (!(await this.#find(id))) return false;
    this.#activeId = id;
    return true;
  }

  /** Seals one version's secret material (or a principal secret, or an import token) for storage. */
  async wrap(keyId: string, versionId: string, material: Buffer): Promise<Buffer> {
    return this.#wrapUnder(this.#activeId, wrapAad(this.#activeId, keyId, versionId), material);
  }

  /**
   * Opens a stored blob. A failure means our own store is corrupt, was restored under another
   * root key, or had a row moved — an `Internal` fault, not the caller's ciphertext. A root key
   * that is unreachable (a PKCS#11 token gone) surfaces as the key's own `DependencyTimeout`.
   */
  async unwrap(keyId: string, versionId: string, wrapped: Buffer): Promise<Buffer> {
    const parsed = parseWrapped(wrapped);
    if (!parsed) throw unwrapFailed();
    const key = await this.#find(parsed.rootId ?? this.#legacyId ?? this.#activeId);
    if (!key) throw unwrapFailed();
    const aad = parsed.rootId === null ? legacyAad(keyId, versionId) : wrapAad(parsed.rootId, keyId, versionId);
    try {
      return await key.open(parsed.iv, aad, parsed.sealed);
    } catch (err) {
      if (err instanceof KmsError && err.code === "DependencyTimeout") throw err;
      throw unwrapFailed();
    }
  }

  /** The root key a blob is wrapped under, or null if it is not a wrapped blob. */
  rootKeyOf(wrapped: Buffer): string | null {
    const parsed = parseWrapped(wrapped);
    if (!parsed) return null;
    return parsed.rootId ?? this.#legacyId ?? null;
  }

  /** Re-wraps a blob under the root key `targetId` (a rotation step); the material never leaves this call. */
  async rewrap(keyId: string, versionId: string, wrapped: Buffer, targetId: string): Promise<Buffer> {
    const material = await this.unwrap(keyId, versionId, wrapped);
    try {
      return await this.#wrapUnder(targetId, wrapAad(targetId, keyId, versionId), material);
    } finally {
      material.fill(0);
    }
  }

  /** Wraps another root key's bytes under `wrapperId`, so that instances holding the wrapper learn it. */
  async wrapRootKey(wrapperId: string, rootId: string, bytes: Buffer): Promise<Buffer> {
    return this.#wrapUnder(wrapperId, rootKeyAad(wrapperId, rootId), bytes);
  }

  /** The inverse of {@link wrapRootKey}. */
  async unwrapRootKey(rootId: string, wrapped: Buffer): Promise<Buffer> {
    const parsed = parseWrapped(wrapped);
    if (!parsed || parsed.rootId === null) throw unwrapFailed();
    const key = await this.#find(parsed.rootId);
    if (!key) throw unwrapFailed();
    return key.open(parsed.iv, rootKeyAad(parsed.rootId, rootId), parsed.sealed);
  }

  async close(): Promise<void> {
    for (const key of this.#keys.values()) await key.close();
    this.#keys.clear();
    await this.#onClose?.();
  }

  async #wrapUnder(rootId: string, aad: Buffer, material: Buffer): Promise<Buffer> {
    const key = await this.#find(rootId);
    if (!key) throw new KmsError("Internal", "The root key is not available.");
    const iv = this.#random(IV_BYTES);
    if (iv.length !== IV_BYTES) {
      throw new Error("random source returned the wrong number of bytes");
    }
    const id = Buffer.from(rootId, "utf8");
    return Buffer.concat([Buffer.of(WRAP_FORMAT_V2, id.length), id, iv, await key.seal(iv, aad, material)]);
  }

  /** A held key, or one learned once (concurrent callers share the lookup). */
  async #find(id: string): Promise<RootKey | null> {
    const held = this.#keys.get(id);
    if (held) return held;
    if (!this.#learn) return null;
    let pending = this.#learning.get(id);
    if (!pending) {
      pending = this.#learn(id, this).finally(() => this.#learning.delete(id));
      this.#learning.set(id, pending);
    }
    const learned = await pending;
    if (learned && learned.id === id) {
      this.add(learned);
      return this.#keys.get(id) ?? null;
    }
    return null;
  }
}

function unwrapFailed(): KmsError {
  return new KmsError("Internal", "Key material could not be unwrapped.");
}

interface ParsedWrap {
  /** null for form v1, which names no root key. */
  rootId: string | null;
  iv: Buffer;
  sealed: Buffer;
}

/** Splits a wrapped blob with explicit length checks; null if it is malformed. */
function parseWrapped(wrapped: Buffer): ParsedWrap | null {
  if (wrapped.length < 1) return null;
  if (wrapped[0] === WRAP_FORMAT_V1) {
    if (wrapped.length < 1 + IV_BYTES + TAG_BYTES) return null;
    return { rootId: null, iv: wrapped.subarray(1, 1 + IV_BYTES), sealed: wrapped.subarray(1 + IV_BYTES) };
  }
  if (wrapped[0] !== WRAP_FORMAT_V2 || wrapped.length < 2) return null;
  const idLength = wrapped[1]!;
  const ivAt = 2 + idLength;
  if (idLength === 0 || idLength > MAX_ID_BYTES || wrapped.length < ivAt + IV_BYTES + TAG_BYTES) return null;
  return {
    rootId: wrapped.subarray(2, ivAt).toString("utf8"),
    iv: wrapped.subarray(ivAt, ivAt + IV_BYTES),
    sealed: wrapped.subarray(ivAt + IV_BYTES),
  };
}

function wrapAad(rootId: string, keyId: string, versionId: string): Buffer {
  return additionalData([
    WRAP_LABEL_V2,
    Buffer.from(rootId, "utf8"),
    Buffer.from(keyId, "utf8"),
    Buffer.from(versionId, "utf8"),
  ]);
}

function legacyAad(keyId: string, versionId: string): Buffer {
  return additionalData([WRAP_LABEL_V1, Buffer.from(keyId, "utf8"), Buffer.from(versionId, "utf8")]);
}

function rootKeyAad(wrapperId: string, rootId: string): Buffer {
  return additionalData([ROOT_KEY_LABEL, Buffer.from(wrapperId, "utf8"), Buffer.from(rootId, "utf8")]);
}
