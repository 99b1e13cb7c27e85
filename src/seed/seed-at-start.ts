import { readFile } from "node:fs/promises";
import type { Logger } from "pino";
import type { CoreDeps } from "../core/deps.js";
import { applySeed } from "./apply-seed.js";
import { parseSeedFile, SeedError } from "./seed-file.js";

/**
 * Applies `KMS_SEED_FILE` at start-up, before the listener opens, so the first call already sees
 * the seeded keys. A file that cannot be read or parsed stops start-up with one line naming the
 * place in the file; the log names what was created, never material or credentials.
 */
export async function seedAtStart(
  deps: Pick<CoreDeps, "store" | "keyring" | "clock" | "random">,
  path: string,
  logger: Logger,
): Promise<void> {
  let source: string;
  try {
    source = await readFile(path, "utf8");
  } catch (err) {
    throw new SeedError(`KMS_SEED_FILE (--seed-file) ${path} cannot be read: ${(err as NodeJS.ErrnoException).code}`);
  }
  let outcome: Awaited<ReturnType<typeof applySeed>>;
  try {
    outcome = await applyRacing(deps, source, logger);
  } catch (err) {
    if (err instanceof SeedError) throw new SeedError(`KMS_SEED_FILE ${path}: ${err.message}`);
    throw err;
  }
  logger.info(
    {
      file: path,
      createdKeys: outcome.createdKeys,
      existingKeys: outcome.existingKeys.length,
      createdAliases: outcome.createdAliases,
      createdPrincipals: outcome.createdPrincipals,
    },
    "seed file applied",
  );
}

/**
 * Several instances over one PostgreSQL may seed at once: one that loses a race on a key, alias
 * or principal fails that write, and another pass finds it present. A few passes suffice (each
 * one can only lose to writes that then exist); a problem with the file itself fails at once.
 */
async function applyRacing(
  deps: Pick<CoreDeps, "store" | "keyring" | "clock" | "random">,
  source: string,
  logger: Logger,
): Promise<Awaited<ReturnType<typeof applySeed>>> {
  for (let pass = 1; ; pass++) {
    try {
      return await applySeed(deps, parseSeedFile(source));
    } catch (err) {
      if (err instanceof SeedError || pass === 3) throw err;
      logger.warn(
        { err: (err as Error).message, pass },
        "seeding raced another instance; applying the seed file again",
      );
    }
  }
}
