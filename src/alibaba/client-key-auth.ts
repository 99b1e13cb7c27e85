import { X509Certificate } from "node:crypto";
import type { Authenticate, CallInfo, Principal } from "../edge/pipeline.js";
import { isClientKeyId } from "../core/access/client-key-id.js";
import { KmsError } from "../domain/errors.js";
import type { SigV4Request } from "../security/sigv4.js";
import type { KeyStoreReader } from "../store/key-store.js";
import { DkmsProtocolError, missingParameter } from "./errors.js";
import { contentSha256, SIGNATURE_METHOD, stringToSign, verifySignature } from "./signature.js";

/** How far a request's `date` may be from the server's clock, as for SigV4. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION = /^(?:Bearer|TOKEN) ([A-Za-z0-9+/]{16,2048}={0,2})$/;

function one(req: SigV4Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const notSigned = () => new KmsError("Unauthenticated", "The request signature does not match.");

/**
 * Adds the Alibaba KMS-instance protocol's credentials to an authenticator: a call that carries a
 * `clientKeySigned` request is checked here — body hash, date, then the RSA signature against the
 * ClientKey's certificate — and acts as the ClientKey's principal; every other call goes to
 * `inner` unchanged. The ClientKey and its principal are read from the store on every request,
 * so a deleted ClientKey (or principal) is refused at once. Failures never say whether a
 * ClientKey exists.
 */
export function withClientKeys(
  inner: Authenticate,
  deps: { store: Pick<KeyStoreReader, "getClientKey" | "getPrincipal">; clock: () => Date },
): Authenticate {
  return (info: CallInfo): Promise<Principal> =>
    info.clientKeySigned ? byClientKey(info.clientKeySigned) : inner(info);

  async function byClientKey(req: SigV4Request): Promise<Principal> {
    const sha = one(req, "content-sha256");
    const date = one(req, "date");
    if (!sha) throw missingParameter("The content-sha256 header");
    if (!date) throw missingParameter("The date header");
    if (sha.trim().toUpperCase() !== contentSha256(req.body)) {
      throw new KmsError("SignatureMismatch", "The content-sha256 header does not match the request body.");
    }
    const at = Date.parse(date);
    if (Number.isNaN(at)) throw new KmsError("InvalidArgument", "The date header is not an RFC 1123 date.");
    if (Math.abs(deps.clock().getTime() - at) > MAX_SKEW_MS) {
      throw new DkmsProtocolError(
        "RequestTimeTooSkewed",
        "The request date is more than 15 minutes from the server's time.",
      );
    }
    const method = one(req, "x-kms-signaturemethod")?.trim();
    if (method !== SIGNATURE_METHOD) {
      throw new KmsError("InvalidArgument", `x-kms-signaturemethod must be ${SIGNATURE_METHOD}.`);
    }
    const keyId = one(req, "x-kms-acccesskeyid")?.trim() ?? "";
    const match = AUTHORIZATION.exec(one(req, "authorization")?.trim() ?? "");
    if (!match || !isClientKeyId(keyId)) throw notSigned();
    const clientKey = await deps.store.getClientKey(keyId);
    if (!clientKey || clientKey.notAfter.getTime() < deps.clock().getTime()) throw notSigned();
    const publicKey = new X509Certificate(clientKey.certificate).publicKey;
    if (!verifySignature(publicKey, stringToSign(req), Buffer.from(match[1]!, "base64"))) throw notSigned();
    const principal = await deps.store.getPrincipal(clientKey.principal);
    if (!principal) throw notSigned();
    return { name: principal.name, admin: principal.isAdmin };
  }
}
