import pkcs11 from "pkcs11js";
import type { RootKey } from "./root-key.js";
import { Pkcs11SetupError, type Pkcs11Token } from "./pkcs11-token.js";

const TAG_BITS = 128;
const TAG_BYTES = TAG_BITS / 8;
const ID_LABEL = Buffer.from("kms/v2 root key id", "utf8");

/**
 * A root key that never leaves its token: an AES-256 secret key, found by label, used through
 * `CKM_AES_GCM` for every wrap and unwrap (`C_Encrypt`/`C_Decrypt` run on libuv's threads, off the
 * event loop). Start-up refuses a key that is not `CKA_SENSITIVE`, is `CKA_EXTRACTABLE`, or is not
 * 32 bytes (docs/operations.md lists the attributes to create it with).
 *
 * Its id is `p11-` and the first 6 bytes (hex) of a key check value computed inside the token:
 * the GCM tag of a zero block under an all-zero IV with a fixed AAD. That is a block encryption
 * of constants, the usual form of a KCV, and it is the same value every time, so it reveals
 * nothing new; the random IVs of real wraps meet the all-zero IV with probability 2^-96.
 * A different key put under the same label gets a different id and is refused.
 */
export class Pkcs11RootKey implements RootKey {
  readonly kind = "pkcs11" as const;

  private constructor(
    private readonly token: Pkcs11Token,
    readonly label: string,
    readonly id: string,
  ) {}

  /** Finds the key, checks its attributes and computes its id. */
  static async find(token: Pkcs11Token, label: string): Promise<Pkcs11RootKey> {
    const attrs = token.keyAttributes(label, [
      pkcs11.CKA_KEY_TYPE,
      pkcs11.CKA_VALUE_LEN,
      pkcs11.CKA_SENSITIVE,
      pkcs11.CKA_EXTRACTABLE,
    ]);
    const keyType = attrs.get(pkcs11.CKA_KEY_TYPE)?.readUInt32LE(0);
    const length = attrs.get(pkcs11.CKA_VALUE_LEN)?.readUInt32LE(0);
    if (keyType !== pkcs11.CKK_AES || length !== 32) {
      throw new Pkcs11SetupError(`KMS_ROOT_KEY_PKCS11_KEY: the key labelled ${label} is not an AES-256 key`);
    }
    if (attrs.get(pkcs11.CKA_SENSITIVE)?.[0] !== 1 || attrs.get(pkcs11.CKA_EXTRACTABLE)?.[0] !== 0) {
      throw new Pkcs11SetupError(
        `KMS_ROOT_KEY_PKCS11_KEY: the key labelled ${label} must be sensitive and not extractable`,
      );
    }
    const provisional = new Pkcs11RootKey(token, label, "");
    const kcv = await provisional.seal(Buffer.alloc(12), ID_LABEL, Buffer.alloc(16));
    const tag = kcv.subarray(kcv.length - TAG_BYTES);
    return new Pkcs11RootKey(token, label, `p11-${tag.subarray(0, 6).toString("hex")}`);
  }

  seal(iv: Buffer, aad: Buffer, plaintext: Buffer): Promise<Buffer> {
    return this.token.run(
      (lib, session) =>
        new Promise<Buffer>((resolve, reject) => {
          lib.C_EncryptInit(session, gcm(iv, aad), this.token.keyHandle(this.label));
          lib.C_Encrypt(session, plaintext, Buffer.alloc(plaintext.length + TAG_BYTES), (err, out) =>
            err ? reject(err) : resolve(Buffer.from(out)),
          );
        }),
    );
  }

  /** A tag that does not verify comes back as `CKR_ENCRYPTED_DATA_INVALID` (SoftHSM2: `CKR_GENERAL_ERROR`) from `C_Decrypt`. */
  open(iv: Buffer, aad: Buffer, sealed: Buffer): Promise<Buffer> {
    let decrypting = false;
    return this.token.run(
      (lib, session) =>
        new Promise<Buffer>((resolve, reject) => {
          lib.C_DecryptInit(session, gcm(iv, aad), this.token.keyHandle(this.label));
          decrypting = true;
          lib.C_Decrypt(session, sealed, Buffer.alloc(sealed.length), (err, out) =>
            err ? reject(err) : resolve(Buffer.from(out)),
          );
        }),
      (code) =>
        decrypting &&
        (code === pkcs11.CKR_ENCRYPTED_DATA_INVALID ||
          code === pkcs11.CKR_ENCRYPTED_DATA_LEN_RANGE ||
          code === pkcs11.CKR_GENERAL_ERROR),
    );
  }

  async close(): Promise<void> {
    // The token is shared by every key of this process and closed by its owner.
  }
}

function gcm(iv: Buffer, aad: Buffer): pkcs11.Mechanism {
  return {
    mechanism: pkcs11.CKM_AES_GCM,
    parameter: { type: pkcs11.CK_PARAMS_AES_GCM, iv, aad, ivBits: iv.length * 8, tagBits: TAG_BITS } as pkcs11.AesGCM,
  };
}
