import { createPrincipal, deletePrincipal } from "../core/access/principals.js";
import { secureRandom } from "../crypto/random.js";
import { splitArgs, withAdminState } from "./admin-context.js";
import { UsageError } from "./client-args.js";
import type { CommandIo, CommandSpec } from "./command.js";
import { ADMIN_CONFIG_HELP, OUTPUT_HELP } from "./help-text.js";
import { renderTable } from "./output.js";
import { colourOn } from "./terminal.js";

const USAGE =
  "kms principal create NAME [--admin] | kms principal list [--output json|table] | kms principal delete NAME";

const HELP = `usage: kms principal SUBCOMMAND [arguments] [config flags]

Who may call the KMS. Names are 1..128 letters, digits and ._@+=,-

  kms principal create NAME [--admin]    prints NAME's credentials as JSON, the only time they
                                         are shown: a bearer token (gRPC, Connect, /metrics) and
                                         an AWS access key pair (SigV4)
  kms principal list                     names, roles and access key ids (never a secret)
  kms principal delete NAME              NAME's credentials stop working at once

Options:
  --admin            admins pass every key policy and may use the admin RPCs
${OUTPUT_HELP}  (list: a table on a terminal, json otherwise)

${ADMIN_CONFIG_HELP}
A running KMS also offers these to admins as AdminService RPCs.`;

/**
 * `kms principal create NAME [--admin]` prints the new principal's credentials as JSON (the only
 * time they are shown); `list` prints names and roles; `delete NAME` revokes a principal's
 * credentials at once. They open the database directly, with the server's own configuration,
 * so the first principals can be made before anyone can call the service.
 */
async function principalCommand(args: string[], io: CommandIo): Promise<number> {
  const { own, config } = splitArgs(args, ["--admin"], ["--output"]);
  const [verb, ...rest] = own;
  const admin = rest.includes("--admin");
  const outputAt = rest.findIndex((a) => a === "--output" || a.startsWith("--output="));
  const output =
    outputAt < 0 ? undefined : rest[outputAt]!.includes("=") ? rest[outputAt]!.split("=")[1] : rest[outputAt + 1];
  const names = rest.filter((a, i) => !a.startsWith("--") && (outputAt < 0 || i !== outputAt + 1));
  if (output !== undefined && output !== "json" && output !== "table") {
    throw new UsageError(`--output must be json or table, got "${output}"`);
  }
  const needsName = verb === "create" || verb === "delete";
  if (verb === undefined || !["create", "list", "delete"].includes(verb)) {
    throw new UsageError(
      `${verb === undefined ? "missing subcommand" : `unknown subcommand "${verb}"`}\nusage: ${USAGE}`,
    );
  }
  if (needsName ? names.length !== 1 : names.length !== 0) {
    throw new UsageError(`kms principal ${verb} takes ${needsName ? "one NAME" : "no arguments"}\nusage: ${USAGE}`);
  }
  if (admin && verb !== "create") throw new UsageError("--admin goes with kms principal create");
  return withAdminState(config, io, async ({ store, keyring }) => {
    const deps = { store, keyring, clock: () => new Date(), random: secureRandom };
    const name = names[0]!;
    if (verb === "create") {
      const { token, accessKeyId, secretAccessKey } = await createPrincipal(deps, { name, admin });
      io.stdout.write(`${JSON.stringify({ name, admin, token, accessKeyId, secretAccessKey }, null, 2)}\n`);
    } else if (verb === "list") {
      const rows = (await store.listPrincipals()).map((p) => ({
        name: p.name,
        admin: p.isAdmin,
        accessKeyId: p.accessKeyId,
        createdAt: p.createdAt,
      }));
      const format = output ?? (io.stdout.isTTY ? "table" : "json");
      const text =
        format === "json"
          ? JSON.stringify(rows, null, 2)
          : renderTable(
              {
                headers: ["NAME", "ADMIN", "ACCESS KEY ID", "CREATED"],
                rows: rows.map((p) => [p.name, p.admin ? "yes" : "", p.accessKeyId, p.createdAt.toISOString()]),
              },
              colourOn(io.stdout, io.env),
            );
      io.stdout.write(`${text}\n`);
    } else {
      await deletePrincipal(deps, name);
      io.stdout.write(`deleted principal ${name}\n`);
    }
    return 0;
  });
}

export const command: CommandSpec = {
  help: HELP,
  words: ["create", "list", "delete", "--admin", "--output"],
  run: principalCommand,
};
