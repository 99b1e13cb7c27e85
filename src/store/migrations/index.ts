import type { MigrationProvider } from "kysely";
import type { StoreDialect } from "../schema.js";
import { initialMigration } from "./001-initial.js";
import { securityMigration } from "./002-security.js";
import { rotationTypeMigration } from "./003-rotation-type.js";
import { clientKeysMigration } from "./004-client-keys.js";
import { retiredVersionsMigration } from "./005-retired-versions-and-batches.js";
import { importedKeyMaterialMigration } from "./006-imported-key-material.js";
import { perMaterialTermsMigration } from "./007-per-material-terms.js";
import { auditWriterChainsMigration } from "./008-audit-writer-chains.js";
import { rootKeysMigration } from "./009-root-keys.js";

/**
 * Every migration, by name, in order. A static map rather than Kysely's `FileMigrationProvider`:
 * scanning a folder breaks between `src/*.ts` under tsx and `dist/*.js`, and a bundler cannot see
 * it. Add a migration by adding a file and a line here; never edit one that has shipped.
 */
export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    async getMigrations() {
      return {
        "001-initial": initialMigration(dialect),
        "002-security": securityMigration(dialect),
        "003-rotation-type": rotationTypeMigration(),
        "004-client-keys": clientKeysMigration(dialect),
        "005-retired-versions-and-batches": retiredVersionsMigration(),
        "006-imported-key-material": importedKeyMaterialMigration(dialect),
        "007-per-material-terms": perMaterialTermsMigration(),
        "008-audit-writer-chains": auditWriterChainsMigration(dialect),
        "009-root-keys": rootKeysMigration(dialect),
      };
    },
  };
}
