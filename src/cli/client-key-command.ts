import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createClientKey, deleteClientKey } from "../core/access/client-keys.js";
import { secureRandom } from "../crypto/random.js";
import { splitArgs, withAdminState } from "./admin-context.js";
import { UsageError } from "./client-args.js";
import type { CommandIo, CommandSpec } from "./command.js";
import { flagValue } from "./flags.js";
import { ADMIN_CONFIG_HELP } from "./help-text.js";

const USAGE =
  "kms client-key create PRINCIPAL [--out DIR] [--days N] | kms client-key list | kms client-key delete KEY_ID";

const HELP = `usage: kms client-key SUBCOMMAND [arguments] [config flags]

ClientKeys sign requests of the Alibaba KMS-instance protocol (the dkms-gcs SDKs).

  kms client-key create PRINCIPAL [--out DIR] [--days N]
      writes DIR/clientKey_<KeyId>.json (mode 0600; DIR defaults to .) valid N days (default
      365) and prints {"keyId","file","password"} once: the SDKs need the password
  kms client-key list                    every ClientKey (never a secret)
  kms client-key delete KEY_ID           refuses the key's next request

${ADMIN_CONFIG_HELP}`;

/**
 * `kms client-key create PRINCIPAL [--out DIR] [--days N]` issues a ClientKey for the Alibaba
 * KMS-instance protocol: it writes `clientKey_<KeyId>.json` (`{"KeyId", "PrivateKeyData"}`, the
 * file the dkms-gcs SDKs read, mode 0600) into DIR (default: the current directory) and prints one
 * JSON line `{"keyId","file","password"}` — the only time the password is shown. `list` prints
 * every ClientKey (never a secret: the service has none); `delete KEY_ID` refuses the key's next
 * request. They talk to the database directly, with the server's own configuration.
 */
async function clientKeyCommand(args: string[], io: CommandIo): Promise<number> {
  const { own, config } = splitArgs(args, [], ["--out", "--days"]);
  const [verb, ...rest] = own;
  const out = flagValue(rest, "--out");
  const days = flagValue(rest, "--days");
  const positional = rest.filter((a, i) => !a.startsWith("--") && !rest[i - 1]?.startsWith("--"));
  if (verb === undefined || !["create", "list", "delete"].includes(verb)) {
    throw new UsageError(
      `${verb === undefined ? "missing subcommand" : `unknown subcommand "${verb}"`}\nusage: ${USAGE}`,
    );
  }
  if (verb === "list" ? positional.length !== 0 : positional.length !== 1) {
    throw new UsageError(
      `kms client-key ${verb} takes ${verb === "create" ? "one PRINCIPAL" : verb === "delete" ? "one KEY_ID" : "no arguments"}\nusage: ${USAGE}`,
    );
  }
  if (days !== undefined && !/^[0-9]{1,4}$/.test(days)) throw new UsageError("--days must be a whole number of days");
  return withAdminState(config, io, async ({ store }) => {
    const deps = { store, clock: () => new Date(), random: secureRandom, newId: randomUUID };
    if (verb === "create") {
      const dir = resolve(out ?? ".");
      // The directory first: a ClientKey whose file cannot be written would exist only in the store.
      await mkdir(dir, { recursive: true });
      const issued = await createClientKey(deps, { principal: positional[0]!, days: days ? Number(days) : 365 });
      const file = join(dir, `clientKey_${issued.keyId}.json`);
      const content = JSON.stringify({ KeyId: issued.keyId, PrivateKeyData: issued.privateKeyData });
      await writeFile(file, `${content}\n`, { mode: 0o600, flag: "wx" });
      io.stdout.write(`${JSON.stringify({ keyId: issued.keyId, file, password: issued.password })}\n`);
    } else if (verb === "list") {
      const rows = (await store.listClientKeys()).map((k) => ({
        keyId: k.keyId,
        principal: k.principal,
        notAfter: k.notAfter,
        createdAt: k.createdAt,
      }));
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else {
      await deleteClientKey(deps, positional[0]!);
      io.stdout.write(`deleted client key ${positional[0]}\n`);
    }
    return 0;
  });
}

export const command: CommandSpec = {
  help: HELP,
  words: ["create", "list", "delete", "--out", "--days"],
  run: clientKeyCommand,
};
