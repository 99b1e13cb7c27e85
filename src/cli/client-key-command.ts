import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { createClientKey, deleteClientKey } from "../core/access/client-keys.js";
import { secureRandom } from "../crypto/random.js";
import { openState } from "../main.js";
import { flagValue } from "./flags.js";

const USAGE =
  "usage: kms client-key create PRINCIPAL [--out DIR] [--days N] | kms client-key list | kms client-key delete KEY_ID\n";

/**
 * `kms client-key create PRINCIPAL [--out DIR] [--days N]` issues a ClientKey for the Alibaba
 * KMS-instance protocol: it writes `clientKey_<KeyId>.json` (`{"KeyId", "PrivateKeyData"}`, the
 * file the dkms-gcs SDKs read, mode 0600) into DIR (default: the current directory) and prints one
 * JSON line `{"keyId","file","password"}` — the only time the password is shown. `list` prints
 * every ClientKey (never a secret: the service has none); `delete KEY_ID` refuses the key's next
 * request. They talk to the database directly, with the server's own configuration.
 */
export async function clientKeyCommand(args: string[], config: Config, logger: Logger): Promise<number> {
  const [verb, ...rest] = args;
  const out = flagValue(rest, "--out");
  const days = flagValue(rest, "--days");
  const positional = rest.filter((a, i) => !a.startsWith("--") && !rest[i - 1]?.startsWith("--"));
  if (verb === undefined || !["create", "list", "delete"].includes(verb)) return usage();
  if (verb !== "list" && positional.length !== 1) return usage();
  if (days !== undefined && !/^[0-9]{1,4}$/.test(days)) return usage();
  const { store } = await openState(config, logger, { create: false });
  try {
    const deps = { store, clock: () => new Date(), random: secureRandom, newId: randomUUID };
    if (verb === "create") {
      const dir = resolve(out ?? ".");
      // The directory first: a ClientKey whose file cannot be written would exist only in the store.
      await mkdir(dir, { recursive: true });
      const issued = await createClientKey(deps, { principal: positional[0]!, days: days ? Number(days) : 365 });
      const file = join(dir, `clientKey_${issued.keyId}.json`);
      const content = JSON.stringify({ KeyId: issued.keyId, PrivateKeyData: issued.privateKeyData });
      await writeFile(file, `${content}\n`, { mode: 0o600, flag: "wx" });
      process.stdout.write(`${JSON.stringify({ keyId: issued.keyId, file, password: issued.password })}\n`);
    } else if (verb === "list") {
      const rows = (await store.listClientKeys()).map((k) => ({
        keyId: k.keyId,
        principal: k.principal,
        notAfter: k.notAfter,
        createdAt: k.createdAt,
      }));
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else {
      await deleteClientKey(deps, positional[0]!);
      process.stdout.write(`deleted client key ${positional[0]}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

function usage(): number {
  process.stderr.write(USAGE);
  return 2;
}
