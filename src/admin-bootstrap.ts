import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import type { Config } from "./config.js";
import type { CoreDeps } from "./core/deps.js";
import { KmsError } from "./domain/errors.js";
import { createPrincipal, type PrincipalCredentials } from "./core/access/principals.js";

/** Where the first start writes the admin's credentials. */
export function adminCredentialsFile(dataDir: string): string {
  return join(dataDir, "admin-credentials.json");
}

/**
 * On the first start against an empty database, creates the `admin` principal — with the
 * `KMS_ADMIN_*` credentials when preset, else fresh ones — and writes them to
 * `<data dir>/admin-credentials.json` (mode 0600). The log names the file, never the secrets.
 * With several instances starting at once, one creates the admin and the others find it taken.
 * Returns the credentials it created (in dev mode without writing the file), else undefined.
 */
export async function ensureAdmin(
  deps: Pick<CoreDeps, "store" | "keyring" | "clock" | "random">,
  config: Pick<Config, "dataDir" | "admin" | "dev">,
  logger: Logger,
): Promise<PrincipalCredentials | undefined> {
  if ((await deps.store.listPrincipals()).length > 0) return undefined;
  let credentials: Awaited<ReturnType<typeof createPrincipal>>;
  try {
    credentials = await createPrincipal(deps, { name: "admin", admin: true, ...config.admin });
  } catch (err) {
    if (err instanceof KmsError && err.code === "AlreadyExists") return undefined;
    throw err;
  }
  // Dev mode keeps nothing on disk: the caller prints the credentials in its banner instead.
  if (config.dev) return credentials;
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const file = adminCredentialsFile(config.dataDir);
  const { name, token, accessKeyId, secretAccessKey } = credentials;
  await writeFile(file, `${JSON.stringify({ name, token, accessKeyId, secretAccessKey }, null, 2)}\n`, {
    mode: 0o600,
  });
  await chmod(file, 0o600);
  logger.warn({ file }, "created the admin principal; its credentials are in this file (mode 0600): keep them safe");
  return credentials;
}
