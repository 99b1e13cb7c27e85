import { hashToken } from "../../security/credentials.js";
import { grantAllows, isWellFormedGrantToken } from "../../security/grants.js";
import { evaluatePolicy, parsePolicy } from "../../security/policy.js";
import type { GrantRecord } from "../../domain/security-records.js";
import type { KeyStoreReader } from "../../store/key-store.js";
import type { AccessCheck, KeyAccess } from "./access.js";
import { KmsError } from "../../domain/errors.js";

/**
 * The access decision for every key operation, with AWS KMS's order:
 *
 * 1. Grant tokens are checked first: a malformed one, or one no grant has, is `InvalidGrantToken`.
 * 2. Admins may do anything (so an admin can always repair a policy that locks everyone out).
 * 3. The key policy: an applicable `Deny` refuses, whatever grants say; an `Allow` allows.
 * 4. Grants of the caller on this key — found by grantee, or by a token given with the request so
 *    that a fresh grant works at once — allow the operations they name under their constraints.
 * 5. Anything else is `AccessDenied`, naming the action but nothing about the key's contents.
 */
export function createKeyAccess(
  store: Pick<KeyStoreReader, "getKeyPolicy" | "getGrantByTokenHash" | "listGrantsByGrantee">,
): KeyAccess {
  return {
    async check(req: AccessCheck): Promise<void> {
      const tokenGrants = await grantsForTokens(store, req.grantTokens ?? []);
      if (req.principal.admin) return;
      const context = req.context ?? {};
      const stored = await store.getKeyPolicy(req.key.id);
      if (stored) {
        const decision = evaluatePolicy(parsePolicy(stored.policy), {
          principal: req.principal.name,
          action: `kms:${req.action}`,
          context,
        });
        if (decision === "allow") return;
        if (decision === "deny") throw denied(req);
      }
      const mine = await store.listGrantsByGrantee(req.principal.name, 1000, null);
      const candidates = [...tokenGrants, ...mine.items].filter((g) => g.keyId === req.key.id);
      if (candidates.some((g) => grantAllows(g, { principal: req.principal.name, operation: req.action, context }))) {
        return;
      }
      throw denied(req);
    },
  };
}

async function grantsForTokens(
  store: Pick<KeyStoreReader, "getGrantByTokenHash">,
  tokens: readonly string[],
): Promise<GrantRecord[]> {
  const grants: GrantRecord[] = [];
  for (const token of tokens) {
    const grant = isWellFormedGrantToken(token) ? await store.getGrantByTokenHash(hashToken(token)) : null;
    if (!grant) throw new KmsError("InvalidGrantToken", "A grant token is not valid.");
    grants.push(grant);
  }
  return grants;
}

function denied(req: AccessCheck): KmsError {
  return new KmsError(
    "AccessDenied",
    `Principal '${req.principal.name}' is not authorized to perform kms:${req.action} on key '${req.key.id}'.`,
  );
}
