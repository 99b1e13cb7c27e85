import { defaultKeyPolicy, parsePolicy } from "../../security/policy.js";
import { keyFor } from "./authorized-key.js";
import type { CallContext, CoreDeps } from "../deps.js";

/** A key's policy document. Keys made before policies existed have none: only admins reach them. */
export async function getKeyPolicy(
  deps: CoreDeps,
  call: CallContext,
  keyRef: string,
): Promise<{ keyId: string; policy: string }> {
  const key = await keyFor(deps, call, keyRef, "GetKeyPolicy");
  const stored = await deps.store.getKeyPolicy(key.id);
  return { keyId: key.id, policy: stored?.policy ?? JSON.stringify({ Version: "2012-10-17", Statement: [] }) };
}

/** Replaces a key's policy after validating it (a malformed document is `InvalidArgument`). */
export async function putKeyPolicy(deps: CoreDeps, call: CallContext, keyRef: string, policy: string): Promise<string> {
  parsePolicy(policy);
  const key = await keyFor(deps, call, keyRef, "PutKeyPolicy");
  await deps.store.transaction((tx) => tx.putKeyPolicy({ keyId: key.id, policy, updatedAt: deps.clock() }));
  return key.id;
}

/** The policy a key gets at creation: its creator may do everything with it. */
export function initialKeyPolicy(deps: Pick<CoreDeps, "clock">, keyId: string, creator: string) {
  return { keyId, policy: defaultKeyPolicy(creator), updatedAt: deps.clock() };
}
