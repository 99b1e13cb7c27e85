import { KmsError } from "../../domain/errors.js";
import {
  IMPORT_TOKEN_TTL_MS,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from "../../domain/key-import.js";
import { isName } from "../../domain/algorithms.js";
import type { CoreDeps } from "../deps.js";

const TOKEN_FORMAT_V1 = 1;
const TOKEN_ID_BYTES = 16;

/** What an import token carries: the wrapping key's private half and the terms it was issued on. */
export interface ImportTerms {
  algorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  privateKeyDer: Buffer;
  expiresAt: Date;
}

/**
 * Seals import terms into a token: format byte ‖ 16 random bytes ‖ the terms sealed under the root
 * key with the key id and the token id bound into the AAD (`RootKeyring.wrap`). The wrapping
 * private key thus exists only encrypted under the root key, inside the token: any instance over
 * the same database and root key accepts it, none stores it, and a token issued for one key opens
 * for no other.
 */
export async function sealImportToken(
  deps: Pick<CoreDeps, "keyring" | "random">,
  keyId: string,
  terms: ImportTerms,
): Promise<Buffer> {
  const tokenId = deps.random(TOKEN_ID_BYTES);
  const payload = Buffer.from(
    JSON.stringify({
      alg: terms.algorithm,
      spec: terms.wrappingKeySpec,
      exp: terms.expiresAt.getTime(),
      key: terms.privateKeyDer.toString("base64"),
    }),
  );
  try {
    const sealed = await deps.keyring.wrap(keyId, tokenLabel(tokenId), payload);
    return Buffer.concat([Buffer.from([TOKEN_FORMAT_V1]), tokenId, sealed]);
  } finally {
    payload.fill(0);
  }
}

/**
 * Opens a token for `keyId`: a malformed token, or one issued for another key, is
 * `InvalidImportToken`; one older than {@link IMPORT_TOKEN_TTL_MS} is `ExpiredImportToken`.
 */
export async function openImportToken(
  deps: Pick<CoreDeps, "keyring" | "clock">,
  keyId: string,
  token: Buffer,
): Promise<ImportTerms> {
  const invalid = () => new KmsError("InvalidImportToken", "The import token is invalid for this key.");
  if (token.length <= 1 + TOKEN_ID_BYTES || token[0] !== TOKEN_FORMAT_V1) throw invalid();
  const tokenId = token.subarray(1, 1 + TOKEN_ID_BYTES);
  let payload: Buffer;
  try {
    payload = await deps.keyring.unwrap(keyId, tokenLabel(tokenId), token.subarray(1 + TOKEN_ID_BYTES));
  } catch {
    throw invalid();
  }
  try {
    const terms = JSON.parse(payload.toString("utf8")) as { alg: string; spec: string; exp: number; key: string };
    if (!isName(WRAPPING_ALGORITHMS, terms.alg) || !isName(WRAPPING_KEY_SPECS, terms.spec)) throw invalid();
    if (terms.exp <= deps.clock().getTime()) {
      throw new KmsError("ExpiredImportToken", "The import token has expired; call GetParametersForImport again.");
    }
    return {
      algorithm: terms.alg,
      wrappingKeySpec: terms.spec,
      privateKeyDer: Buffer.from(terms.key, "base64"),
      expiresAt: new Date(terms.exp),
    };
  } finally {
    payload.fill(0);
  }
}

/** The AAD label of a token: never a version id, so a token can never unwrap as key material. */
function tokenLabel(tokenId: Buffer): string {
  return `import-token:${tokenId.toString("hex")}`;
}

/** When a token issued now stops being accepted. */
export function importTokenExpiry(now: Date): Date {
  return new Date(now.getTime() + IMPORT_TOKEN_TTL_MS);
}
