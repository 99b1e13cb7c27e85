import { type Logger, pino } from "pino";
import { type Config, loadConfig } from "../config.js";
import type { KeyStore } from "../store/key-store.js";
import type { RootKeyring } from "../crypto/root-keyring.js";
import type { ConfiguredRootKey } from "../root-key-config.js";
import type { CommandIo } from "./command.js";

/** Where an admin command's own arguments end and the server configuration's flags begin. */
export interface SplitArgs {
  /** Positionals and the command's own flags, in order. */
  own: string[];
  /** `--data-dir X`, `--database-url=…`, `--dev`: for `loadConfig`. */
  config: string[];
}

/**
 * Separates an admin command's own flags (`ownFlags`: valueless; `ownValued`: with a value) from
 * the configuration flags every admin command shares with `kms serve`. Anything else starting
 * with `--` is a configuration flag, which `loadConfig` checks (an unknown one is an error).
 */
export function splitArgs(
  args: readonly string[],
  ownFlags: readonly string[],
  ownValued: readonly string[],
): SplitArgs {
  const own: string[] = [];
  const config: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const name = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
    if (ownValued.includes(name)) {
      own.push(a);
      if (!a.includes("=") && i + 1 < args.length) own.push(args[++i]!);
    } else if (ownFlags.includes(a) || !a.startsWith("--")) {
      own.push(a);
    } else {
      config.push(a);
      if (a !== "--dev" && !a.includes("=") && i + 1 < args.length && !args[i + 1]!.startsWith("--")) {
        config.push(args[++i]!);
      }
    }
  }
  return { own, config };
}

/**
 * The logger of an admin command. A person runs these commands: the failure they care about is
 * printed once as one line by the dispatcher, so the JSON log is off — unless they asked for it
 * with `KMS_LOG_LEVEL`/`--log-level`, in which case it goes to stderr, stdout staying clean.
 */
function adminLogger(config: Config, configArgs: readonly string[], env: NodeJS.ProcessEnv): Logger {
  const asked = env.KMS_LOG_LEVEL !== undefined || configArgs.some((a) => a.startsWith("--log-level"));
  return asked ? pino({ level: config.logLevel }, pino.destination(2)) : pino({ level: "silent" });
}

/** What an admin command works on: the database and root key of the server's configuration. */
export interface AdminState {
  config: Config;
  store: KeyStore;
  keyring: RootKeyring;
  logger: Logger;
  /** The root key the configuration names (for `kms root-key rotate` to open a new token key). */
  root: ConfiguredRootKey;
}

/**
 * Loads the configuration from `configArgs` and the environment, opens the existing database
 * (never creating one: a typo in `--data-dir` must not make an empty store) and runs `body`,
 * closing the store afterwards. Configuration mistakes throw `ConfigError`; a missing database or
 * a root key that does not match it throws `StartupError` — the dispatcher prints either once.
 */
export async function withAdminState<T>(
  configArgs: readonly string[],
  io: CommandIo,
  body: (state: AdminState) => Promise<T>,
): Promise<T> {
  const config = loadConfig(configArgs, io.env);
  const logger = adminLogger(config, configArgs, io.env);
  // Loaded here so that usage mistakes and help never pay for the store and crypto modules.
  const { openState } = await import("../main.js");
  const { store, keyring, root } = await openState(config, logger, { create: false });
  try {
    return await body({ config, store, keyring, logger, root });
  } finally {
    await store.close();
    await keyring.close();
  }
}
