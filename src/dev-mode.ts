import type { PrincipalCredentials } from "./core/access/principals.js";

/**
 * The banner dev mode prints on every start, on stdout beside the JSON log (as Vault's dev server
 * prints its root token): what dev mode gives up, and the admin's credentials — the database is in
 * memory, so they are new on every start unless `KMS_ADMIN_*` preset them. Never for production:
 * configuration refuses dev mode on anything but a loopback address.
 */
export function devBanner(url: string, admin: PrincipalCredentials | undefined): string {
  const lines = [
    "",
    "==> KMS DEV MODE — never use this in production",
    `    listening on ${url} (loopback only)`,
    "    the database and the root key live in memory: everything is lost when the process ends",
    "    the AWS endpoint accepts ANY access key id with a well-formed SigV4 signature as the admin",
    ...(admin
      ? [
          `    admin token:             ${admin.token}`,
          `    admin access key id:     ${admin.accessKeyId}`,
          `    admin secret access key: ${admin.secretAccessKey}`,
        ]
      : []),
    "",
  ];
  return lines.join("\n");
}
