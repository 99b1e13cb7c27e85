import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../runtime/code-origin.js";
import { KmsError } from "../domain/errors.js";

/**
 * ML-DSA over an externally computed mu (FIPS 204 §6.2; AWS KMS `MessageType: EXTERNAL_MU`).
 *
 * `node:crypto` signs and verifies ML-DSA over the message only, so these two calls go to a small
 * Node-API addon (`native/ml-dsa-mu/`) that hands mu to OpenSSL 3.5's own ML-DSA
 * (`EVP_PKEY_sign_message_init` with the `mu` parameter) — the OpenSSL inside the running `node`
 * binary, the same one `node:crypto` uses. The addon is built by `npm install` only on a runtime
 * whose OpenSSL has ML-DSA and only where a C compiler exists (`scripts/build-ml-dsa-mu.mjs`);
 * without it EXTERNAL_MU is `UnsupportedOperation`, and nothing else changes.
 */
interface MlDsaMuAddon {
  signMu(pkcs8Der: Buffer, mu: Buffer): Buffer;
  verifyMu(spkiDer: Buffer, mu: Buffer, signature: Buffer): boolean;
}

/**
 * Where `npm install` puts the addon, inside this package (`src/runtime/code-origin.ts` finds its root
 * from the sources and from the compiled build alike): never a path outside it, so no other
 * `.node` file can be picked up.
 */
const ADDON_PATH = join(PACKAGE_ROOT, "native/ml-dsa-mu/build/Release/ml_dsa_mu.node");

/**
 * Loads the addon once, on first use: a server that never sees EXTERNAL_MU never loads it. A
 * build left over from another runtime fails to load (it is linked with `-z now` against the
 * OpenSSL 3.5 symbols of Node.js 24) and counts as not built.
 */
const addon: () => MlDsaMuAddon | null = (() => {
  let loaded: MlDsaMuAddon | null | undefined;
  return () => {
    if (loaded !== undefined) return loaded;
    try {
      loaded = existsSync(ADDON_PATH) ? (createRequire(import.meta.url)(ADDON_PATH) as MlDsaMuAddon) : null;
    } catch {
      loaded = null;
    }
    return loaded;
  };
})();

/** Whether this installation can sign and verify from mu. */
export function mlDsaMuAvailable(): boolean {
  return addon() !== null;
}

function required(): MlDsaMuAddon {
  const loaded = addon();
  if (loaded === null) {
    throw new KmsError(
      "UnsupportedOperation",
      "MessageType EXTERNAL_MU needs this server's ml-dsa-mu native addon, which is not built: " +
        "npm install builds it on Node.js >= 24.7 where a C compiler is available.",
    );
  }
  return loaded;
}

/** Refuses EXTERNAL_MU before any work when the addon is missing (`UnsupportedOperation`). */
export function requireMlDsaMu(): void {
  required();
}

/**
 * ML-DSA.Sign over a 64-byte mu with a PKCS#8 DER ML-DSA private key: hedged (fresh randomness),
 * as `crypto.sign` signs RAW messages. A signature of mu made from SHAKE256(tr ‖ 0x00 ‖ 0x00 ‖ M, 64)
 * verifies as pure ML-DSA over M with an empty context.
 */
export function signMu(privateKeyDer: Buffer, mu: Buffer): Buffer {
  return required().signMu(privateKeyDer, mu);
}

/** Verifies an ML-DSA signature over a 64-byte mu with an SPKI DER public key; false if it does not verify. */
export function verifyMu(publicKeyDer: Buffer, mu: Buffer, signature: Buffer): boolean {
  return required().verifyMu(publicKeyDer, mu, signature);
}
