import { createGrant as coreCreateGrant } from "../../core/access/grants.js";
import type { GrantConstraints } from "../../domain/security-records.js";
import type { Members } from "../json.js";
import type { Operation } from "./operation.js";

/** AWS `Constraints` → core's; an empty structure means no constraint. */
export function constraintsOf(m: Members): GrantConstraints | undefined {
  const c = m.structure("Constraints");
  if (!c) return undefined;
  const equals = c.has("EncryptionContextEquals") ? c.stringMap("EncryptionContextEquals") : undefined;
  const subset = c.has("EncryptionContextSubset") ? c.stringMap("EncryptionContextSubset") : undefined;
  if (!equals && !subset) return undefined;
  return {
    ...(equals ? { encryptionContextEquals: equals } : {}),
    ...(subset ? { encryptionContextSubset: subset } : {}),
  };
}

/** `CreateGrant`: returns the grant id and a token that works at once in `GrantTokens`. */
export const createGrant: Operation = (m) => {
  const keyId = m.requiredString("KeyId");
  const grantee = m.requiredString("GranteePrincipal");
  const retiringPrincipal = m.string("RetiringPrincipal");
  const operations = m.stringList("Operations");
  const constraints = constraintsOf(m);
  const name = m.string("Name");
  const grantTokens = m.stringList("GrantTokens");
  return async ({ deps, call }) => {
    const out = await coreCreateGrant(deps, call, {
      keyRef: keyId,
      grantee,
      operations,
      ...(retiringPrincipal ? { retiringPrincipal } : {}),
      ...(constraints ? { constraints } : {}),
      ...(name ? { name } : {}),
      grantTokens,
    });
    return { GrantId: out.grantId, GrantToken: out.grantToken };
  };
};
