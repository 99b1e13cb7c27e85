import { rootKeyStatus } from "../core/root-keys/root-key-status.js";
import { rotateRootKey } from "../core/root-keys/rotate-root-key.js";
import { Pkcs11SetupError } from "../crypto/pkcs11-token.js";
import { StartupError } from "../startup-error.js";
import { loadNewRootKey } from "../root-key-config.js";
import { splitArgs, withAdminState } from "./admin-context.js";
import { UsageError } from "./client-args.js";
import type { CommandIo, CommandSpec } from "./command.js";
import { ADMIN_CONFIG_HELP } from "./help-text.js";

const HELP = `usage: kms root-key status [config flags]
       KMS_NEW_ROOT_KEY[_FILE|_PKCS11_KEY]=… kms root-key rotate [config flags]

The root keyring (docs/operations.md "Root key rotation").

  kms root-key status    each root key with how many key versions and principal secrets remain
                         under it (JSON)
  kms root-key rotate    re-wraps everything under the root key named by KMS_NEW_ROOT_KEY,
                         KMS_NEW_ROOT_KEY_FILE or KMS_NEW_ROOT_KEY_PKCS11_KEY while the service
                         keeps serving; a killed run is finished by running it again.
                         KMS_ROTATE_BATCH (rows per transaction, default 50) and
                         KMS_ROTATE_PAUSE_MS (a pause between them) pace it.

${ADMIN_CONFIG_HELP}`;

/**
 * `kms root-key status` prints, as JSON, each root key of the keyring with how many key versions
 * and principal secrets remain under it; `kms root-key rotate` moves every one of them to the
 * new root key while the service keeps serving. Both open the database with the server's own
 * configuration, current root key included. Progress goes to stderr.
 */
async function rootKeyCommand(args: string[], io: CommandIo): Promise<number> {
  const { own, config } = splitArgs(args, [], []);
  const [verb, ...rest] = own;
  if ((verb !== "status" && verb !== "rotate") || rest.length > 0) {
    throw new UsageError("usage: kms root-key status | KMS_NEW_ROOT_KEY[_FILE|_PKCS11_KEY]=… kms root-key rotate");
  }
  return withAdminState(config, io, async ({ store, keyring, root }) => {
    if (verb === "status") {
      io.stdout.write(`${JSON.stringify(await rootKeyStatus(store, keyring), null, 2)}\n`);
      return 0;
    }
    const next = await loadNewRootKey(io.env, root.openPkcs11Key).catch((err: unknown) => {
      throw err instanceof Pkcs11SetupError ? new StartupError(err.message) : err;
    });
    const result = await rotateRootKey({ store, keyring, clock: () => new Date() }, next, {
      batch: positive(io.env.KMS_ROTATE_BATCH, 50),
      pauseMs: positive(io.env.KMS_ROTATE_PAUSE_MS, 0),
      onProgress: (n) => io.stderr.write(`re-wrapped ${n}\n`),
    });
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    const done = result.status.every((s) => s.id === result.active || s.versions + s.principals === 0);
    return done ? 0 : 1;
  });
}

export const command: CommandSpec = { help: HELP, words: ["status", "rotate"], run: rootKeyCommand };

function positive(value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) {
    throw new StartupError("KMS_ROTATE_BATCH and KMS_ROTATE_PAUSE_MS must be integers from 0 to 100000");
  }
  return n === 0 && fallback > 0 ? fallback : n;
}
