import pkcs11 from "pkcs11js";
import { KmsError } from "../domain/errors.js";

/** Where the root key's token is (`KMS_ROOT_KEY_PKCS11_*`, docs/operations.md "PKCS#11 root key"). */
export interface Pkcs11Options {
  module: string;
  tokenLabel: string;
  pin: string;
}

/** Sessions kept open for concurrent operations; one operation runs per session at a time. */
const MAX_SESSIONS = 8;
/** After the token failed, how long calls fail fast before the next attempt to reopen it. */
const REOPEN_AFTER_MS = 1000;

/** A token problem that start-up reports as one line (a wrong PIN, no such token or key). */
export class Pkcs11SetupError extends Error {
  override readonly name = "Pkcs11SetupError";
}

type Session = { handle: Buffer; generation: number };

/**
 * One PKCS#11 library per process and its logged-in token, with a pool of sessions.
 *
 * Rules this class exists to keep (each one crashed or hung something on SoftHSM2 or is required by
 * PKCS#11 v2.40 §5.6/§5.8): `C_Initialize` gets `CKF_OS_LOCKING_OK`, because calls run on libuv's
 * threads concurrently; a session runs one operation at a time, so each call borrows a session
 * from the pool; login happens once (it applies to every session of the application) and is
 * never retried after `CKR_PIN_INCORRECT`, since tokens lock the PIN after a few failures.
 * Loading, login and object lookups are synchronous calls: they run at start-up, before the
 * listener opens, and when reopening after an outage (a few milliseconds, rare).
 *
 * When the token goes away (`CKR_DEVICE_REMOVED`, handles invalidated, …) calls fail fast with
 * `DependencyTimeout`; once in-flight calls are done, the library is finalized and opened again,
 * at most once per {@link REOPEN_AFTER_MS}, so the service recovers when the token is back.
 */
export class Pkcs11Token {
  readonly #lib = new pkcs11.PKCS11();
  readonly #opts: Pkcs11Options;
  readonly #idle: Session[] = [];
  readonly #waiters: ((s: Session | null) => void)[] = [];
  readonly #keyHandles = new Map<string, Buffer>();
  #slot: Buffer | undefined;
  #sessions = 0;
  #inFlight = 0;
  #generation = 0;
  #state: "ready" | "broken" | "fatal" | "closed" = "broken";
  #retryAt = 0;

  private constructor(opts: Pkcs11Options) {
    this.#opts = opts;
  }

  /** Loads the module, finds the token by label and logs in; throws {@link Pkcs11SetupError} with one clear line. */
  static open(opts: Pkcs11Options): Pkcs11Token {
    const token = new Pkcs11Token(opts);
    try {
      token.#lib.load(opts.module);
    } catch {
      throw new Pkcs11SetupError(`KMS_ROOT_KEY_PKCS11_MODULE: cannot load the PKCS#11 module ${opts.module}`);
    }
    token.#connect();
    return token;
  }

  /** The handle of a secret key by label (looked up again after the token was reopened). */
  keyHandle(label: string): Buffer {
    const known = this.#keyHandles.get(label);
    if (known) return known;
    const session = this.#lib.C_OpenSession(this.#slot!, pkcs11.CKF_SERIAL_SESSION);
    try {
      this.#lib.C_FindObjectsInit(session, [
        { type: pkcs11.CKA_CLASS, value: pkcs11.CKO_SECRET_KEY },
        { type: pkcs11.CKA_LABEL, value: label },
      ]);
      const found = this.#lib.C_FindObjects(session, 2);
      this.#lib.C_FindObjectsFinal(session);
      if (found.length !== 1) {
        throw new Pkcs11SetupError(
          `KMS_ROOT_KEY_PKCS11_KEY: the token ${this.#opts.tokenLabel} has ${found.length === 0 ? "no" : "more than one"} secret key labelled ${label}`,
        );
      }
      this.#keyHandles.set(label, found[0]!);
      return found[0]!;
    } finally {
      this.#lib.C_CloseSession(session);
    }
  }

  /** Reads attributes of a key (its policy flags; never its value). */
  keyAttributes(label: string, types: number[]): Map<number, Buffer> {
    return this.#withSyncSession((s) => {
      const attrs = this.#lib.C_GetAttributeValue(
        s,
        this.keyHandle(label),
        types.map((type) => ({ type })),
      );
      return new Map(attrs.map((a) => [a.type, a.value as Buffer]));
    });
  }

  /**
   * Runs one operation on a pooled session. Token-side failures that `isDataError` does not claim
   * (a bad tag on decrypt) mark the token broken and become `DependencyTimeout`.
   */
  async run<T>(
    op: (lib: pkcs11.PKCS11, session: Buffer) => Promise<T>,
    isDataError: (code: number) => boolean = () => false,
  ): Promise<T> {
    this.#reopenIfDue();
    if (this.#state !== "ready") throw unavailable();
    const session = await this.#acquire();
    this.#inFlight++;
    try {
      return await op(this.#lib, session.handle);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === "number" && isDataError(code)) throw err;
      if (session.generation === this.#generation && this.#state === "ready") {
        this.#state = "broken";
        this.#retryAt = Date.now() + REOPEN_AFTER_MS;
      }
      throw unavailable();
    } finally {
      this.#inFlight--;
      this.#release(session);
    }
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#teardown();
    try {
      this.#lib.close();
    } catch {
      // Closing after an outage may fail; the process is ending its use of the library either way.
    }
  }

  #connect(): void {
    this.#lib.C_Initialize({ flags: pkcs11.CKF_OS_LOCKING_OK });
    const slot = this.#lib
      .C_GetSlotList(true)
      .find((s) => this.#lib.C_GetTokenInfo(s).label.trim() === this.#opts.tokenLabel);
    if (!slot) throw new Pkcs11SetupError(`KMS_ROOT_KEY_PKCS11_TOKEN: no token labelled ${this.#opts.tokenLabel}`);
    this.#slot = slot;
    const session = this.#lib.C_OpenSession(slot, pkcs11.CKF_SERIAL_SESSION);
    try {
      this.#lib.C_Login(session, pkcs11.CKU_USER, this.#opts.pin);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === pkcs11.CKR_PIN_INCORRECT || code === pkcs11.CKR_PIN_LOCKED || code === pkcs11.CKR_PIN_INVALID) {
        this.#state = "fatal";
        this.#lib.C_CloseSession(session);
        throw new Pkcs11SetupError(
          `KMS_ROOT_KEY_PKCS11_PIN was refused by the token ${this.#opts.tokenLabel}; not retrying (tokens lock the PIN after repeated failures)`,
        );
      }
      if (code !== pkcs11.CKR_USER_ALREADY_LOGGED_IN) throw err;
    }
    this.#generation++;
    this.#sessions = 1;
    this.#idle.push({ handle: session, generation: this.#generation });
    this.#state = "ready";
  }

  /** After an outage: once nothing is in flight, finalize and open the library again. */
  #reopenIfDue(): void {
    if (this.#state !== "broken" || this.#inFlight > 0 || Date.now() < this.#retryAt) return;
    this.#retryAt = Date.now() + REOPEN_AFTER_MS;
    this.#teardown();
    try {
      this.#connect();
    } catch {
      if (!this.#pinRefused()) this.#state = "broken";
    }
  }

  #pinRefused(): boolean {
    return this.#state === "fatal";
  }

  #teardown(): void {
    this.#generation++;
    for (const waiter of this.#waiters.splice(0)) waiter(null);
    this.#idle.length = 0;
    this.#sessions = 0;
    this.#keyHandles.clear();
    try {
      this.#lib.C_Finalize();
    } catch {
      // Not initialized, or the token is gone: either way the next C_Initialize starts afresh.
    }
  }

  async #acquire(): Promise<Session> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#sessions < MAX_SESSIONS) {
      this.#sessions++;
      try {
        return {
          handle: this.#lib.C_OpenSession(this.#slot!, pkcs11.CKF_SERIAL_SESSION),
          generation: this.#generation,
        };
      } catch {
        this.#sessions--;
        this.#state = "broken";
        this.#retryAt = Date.now() + REOPEN_AFTER_MS;
        throw unavailable();
      }
    }
    const handed = await new Promise<Session | null>((resolve) => this.#waiters.push(resolve));
    if (!handed) throw unavailable();
    return handed;
  }

  #release(session: Session): void {
    if (session.generation !== this.#generation) {
      this.#waiters.shift()?.(null);
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) waiter(session);
    else this.#idle.push(session);
  }

  #withSyncSession<T>(fn: (s: Buffer) => T): T {
    if (this.#state !== "ready") throw unavailable();
    const session = this.#lib.C_OpenSession(this.#slot!, pkcs11.CKF_SERIAL_SESSION);
    try {
      return fn(session);
    } finally {
      this.#lib.C_CloseSession(session);
    }
  }
}

function unavailable(): KmsError {
  return new KmsError("DependencyTimeout", "The root key's token did not answer.");
}
