import type { Logger } from "pino";
import type { Config } from "../config.js";
import { createPrincipal, deletePrincipal } from "../core/access/principals.js";
import { secureRandom } from "../crypto/random.js";
import { openState } from "../main.js";

/**
 * `kms principal create NAME [--admin]` prints the new principal's credentials as JSON (the only
 * time they are shown); `list` prints names and roles; `delete NAME` revokes a principal's
 * credentials at once. They talk to the database directly, with the server's own configuration.
 */
export async function principalCommand(args: string[], config: Config, logger: Logger): Promise<number> {
  const [verb, ...rest] = args;
  const admin = rest.includes("--admin");
  const name = rest.find((a) => !a.startsWith("--"));
  const { store, keyring } = await openState(config, logger, { create: false });
  try {
    const deps = { store, keyring, clock: () => new Date(), random: secureRandom };
    switch (verb) {
      case "create": {
        if (!name) return usage();
        const created = await createPrincipal(deps, { name, admin });
        const { token, accessKeyId, secretAccessKey } = created;
        process.stdout.write(`${JSON.stringify({ name, admin, token, accessKeyId, secretAccessKey }, null, 2)}\n`);
        return 0;
      }
      case "list": {
        const all = await store.listPrincipals();
        const rows = all.map((p) => ({
          name: p.name,
          admin: p.isAdmin,
          accessKeyId: p.accessKeyId,
          createdAt: p.createdAt,
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return 0;
      }
      case "delete": {
        if (!name) return usage();
        await deletePrincipal(deps, name);
        process.stdout.write(`deleted principal ${name}\n`);
        return 0;
      }
      default:
        return usage();
    }
  } finally {
    await store.close();
  }
}

function usage(): number {
  process.stderr.write("usage: kms principal create NAME [--admin] | kms principal list | kms principal delete NAME\n");
  return 2;
}
