import { KmsError } from "../../domain/errors.js";
import type { CallContext } from "../deps.js";

/**
 * The service's own administration (principals, the audit trail) is for admins only. No key policy
 * or grant can allow it: those speak about keys, and these operations are about the service.
 */
export function requireAdmin(call: Pick<CallContext, "principal">): void {
  if (!call.principal.admin) throw new KmsError("AccessDenied", "Only an admin principal may do this.");
}
