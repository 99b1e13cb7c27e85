import { hashToken, newAccessKeyPair, newBearerToken } from "../../security/credentials.js";
import type { PrincipalRecord } from "../../domain/security-records.js";
import type { CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";

/** A principal's credentials as handed to its owner once: never stored in this form. */
export interface PrincipalCredentials {
  name: string;
  admin: boolean;
  token: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const NAME = /^[A-Za-z0-9._@+=,-]{1,128}$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

/**
 * Wraps a principal's SigV4 secret under the root key, bound (as AAD) to its name and access key
 * id, so a wrapped secret copied onto another principal row does not unwrap.
 */
async function wrapSecret(
  deps: Pick<CoreDeps, "keyring">,
  name: string,
  accessKeyId: string,
  secret: string,
): Promise<Buffer> {
  const bytes = Buffer.from(secret, "utf8");
  try {
    return await deps.keyring.wrap(`principal:${name}`, accessKeyId, bytes);
  } finally {
    bytes.fill(0);
  }
}

/** A principal's SigV4 secret in plaintext, for checking one signature; never store or log it. */
export async function principalSecret(deps: Pick<CoreDeps, "keyring">, record: PrincipalRecord): Promise<string> {
  const bytes = await deps.keyring.unwrap(`principal:${record.name}`, record.accessKeyId, record.wrappedSecret);
  try {
    return bytes.toString("utf8");
  } finally {
    bytes.fill(0);
  }
}

/**
 * Creates a principal with a bearer token and an AWS access key pair (fresh ones unless given).
 * Only the token's hash and the wrapped secret are stored; the returned credentials are the only
 * copy. A taken name or credential is `AlreadyExists`.
 */
export async function createPrincipal(
  deps: Pick<CoreDeps, "store" | "keyring" | "clock" | "random">,
  input: {
    name: string;
    admin: boolean;
    token?: string | undefined;
    accessKeyId?: string | undefined;
    secretAccessKey?: string | undefined;
  },
): Promise<PrincipalCredentials> {
  if (!NAME.test(input.name)) {
    throw new KmsError("InvalidArgument", "A principal name is 1 to 128 characters of [A-Za-z0-9._@+=,-].");
  }
  const pair = newAccessKeyPair(deps.random);
  const token = input.token ?? newBearerToken(deps.random);
  const accessKeyId = input.accessKeyId ?? pair.accessKeyId;
  const secretAccessKey = input.secretAccessKey ?? pair.secretAccessKey;
  if (token.length < 16) throw new KmsError("InvalidArgument", "A bearer token must be at least 16 characters.");
  if (!ACCESS_KEY_ID.test(accessKeyId)) {
    throw new KmsError("InvalidArgument", "An access key id is 16 to 128 characters of [A-Z0-9].");
  }
  if (secretAccessKey.length < 16)
    throw new KmsError("InvalidArgument", "A secret access key must be at least 16 characters.");
  const record: PrincipalRecord = {
    name: input.name,
    isAdmin: input.admin,
    tokenHash: hashToken(token),
    accessKeyId,
    wrappedSecret: await wrapSecret(deps, input.name, accessKeyId, secretAccessKey),
    createdAt: deps.clock(),
  };
  await deps.store.transaction(async (tx) => {
    if ((await tx.getMeta(retiredName(input.name))) !== null) {
      throw new KmsError("AlreadyExists", `The name '${input.name}' belonged to a deleted principal; choose another.`);
    }
    await tx.insertPrincipal(record);
  });
  return { name: input.name, admin: input.admin, token, accessKeyId, secretAccessKey };
}

/**
 * Key policies and grants name principals, and stay when a principal is deleted (as in AWS).
 * A deleted name is therefore retired for good, so that no new principal inherits what was
 * granted to the old one.
 */
function retiredName(name: string): string {
  return `principal_retired:${name}`;
}

/** Deletes a principal; its credentials stop working at once and its name can never be reused. */
export async function deletePrincipal(deps: Pick<CoreDeps, "store" | "clock">, name: string): Promise<void> {
  const deleted = await deps.store.transaction(async (tx) => {
    const gone = await tx.deletePrincipal(name);
    if (gone) await tx.putMetaIfAbsent(retiredName(name), deps.clock().toISOString());
    return gone;
  });
  if (!deleted) throw new KmsError("NotFound", `Principal '${name}' does not exist.`);
}
