import type { Principal } from "../core/access/access.js";
import { KmsError } from "../domain/errors.js";
import { principalSecret } from "../core/access/principals.js";
import type { RootKeyring } from "../crypto/root-keyring.js";
import { hashToken } from "../security/credentials.js";
import { deriveSigningKey, type SigV4Request, verifySigV4 } from "../security/sigv4.js";
import { SigningKeyCache } from "../security/signing-key-cache.js";
import type { PrincipalRecord } from "../domain/security-records.js";
import type { KeyStoreReader } from "../store/key-store.js";
import type { Authenticate, CallInfo } from "./pipeline.js";

/**
 * Authentication for every surface. Connect, gRPC and gRPC-Web callers send
 * `authorization: Bearer <token>`; the token is hashed and looked up (only hashes are stored, and
 * the lookup is by an indexed hash, so no token is compared byte by byte). AWS callers sign with
 * SigV4; the principal's secret is unwrapped from under the root key only to derive the day's
 * signing key, which is then kept (`SigningKeyCache`) while the stored secret stays the same.
 * Both credentials identify the same principal. Failures never say whether a principal exists.
 */
export function createAuthenticator(deps: {
  store: Pick<KeyStoreReader, "getPrincipal" | "getPrincipalByTokenHash" | "getPrincipalByAccessKeyId">;
  keyring: RootKeyring;
  clock: () => Date;
  /**
   * Dev mode only: the principal a well-formed SigV4 request with an access key id no principal
   * has is taken for (the admin), as LocalStack accepts dummy credentials. Such a signature cannot
   * be checked (there is no secret to check it with); a known access key id is still verified.
   */
  anyAccessKeyAs?: string | undefined;
}): Authenticate {
  const signingKeys = new SigningKeyCache();
  return async (info: CallInfo): Promise<Principal> => {
    const record = info.sigv4 ? await bySigV4(info.sigv4) : await byBearerOrCertificate(info);
    return { name: record.name, admin: record.isAdmin };
  };

  /**
   * A bearer token wins when one is sent; otherwise a client certificate verified against
   * `KMS_TLS_CLIENT_CA` names the principal by its subject common name (mTLS).
   */
  async function byBearerOrCertificate(info: CallInfo): Promise<PrincipalRecord> {
    const header = info.headers.get("authorization");
    if (header === null && info.clientName) {
      const record = await deps.store.getPrincipal(info.clientName);
      if (record) return record;
    }
    return byBearer(header);
  }

  async function byBearer(header: string | null): Promise<PrincipalRecord> {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(header?.trim() ?? "");
    const record = match ? await deps.store.getPrincipalByTokenHash(hashToken(match[1]!)) : null;
    if (!record) throw new KmsError("Unauthenticated", "A valid bearer token is required.");
    return record;
  }

  async function bySigV4(req: SigV4Request): Promise<PrincipalRecord> {
    let found: PrincipalRecord | null = null;
    const result = await verifySigV4(req, {
      now: deps.clock(),
      signingKey: async (accessKeyId, scope) => {
        found = await deps.store.getPrincipalByAccessKeyId(accessKeyId);
        if (!found) return null;
        const record = found;
        const id = `${accessKeyId}/${scope.date}/${scope.region}/${scope.service}`;
        return signingKeys.get(id, record.wrappedSecret, async () =>
          deriveSigningKey(await principalSecret(deps, record), scope.date, scope.region, scope.service),
        );
      },
    });
    if (result.ok && found) return found;
    if (!result.ok && result.reason === "unknown-key" && deps.anyAccessKeyAs !== undefined) {
      const stand = await deps.store.getPrincipal(deps.anyAccessKeyAs);
      if (stand) return stand;
    }
    switch (result.ok ? "unknown-key" : result.reason) {
      case "incomplete":
        throw new KmsError("IncompleteSignature", "The request signature is incomplete or malformed.");
      case "mismatch":
        throw new KmsError("SignatureMismatch", "The request signature does not match.");
      case "expired":
        throw new KmsError("SignatureMismatch", "The request signature has expired (more than 15 minutes of skew).");
      case "missing":
        throw new KmsError("Unauthenticated", "The request is not signed.");
      default:
        throw new KmsError("Unauthenticated", "The security token included in the request is invalid.");
    }
  }
}
