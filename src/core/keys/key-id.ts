import type { CoreDeps } from "../deps.js";
import { KmsError } from "../../domain/errors.js";
import type { KeyRecord } from "../../domain/types.js";

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const MAX_KEY_REF = 2048;

/** `arn:aws:kms:<region>:<account>:key/<id>` — the form AWS returns and the Encryption SDK compares. */
export function keyArn(deps: Pick<CoreDeps, "arn">, keyId: string): string {
  return `arn:aws:kms:${deps.arn.region}:${deps.arn.accountId}:key/${keyId}`;
}

/** `arn:aws:kms:<region>:<account>:alias/<name>` for `alias/<name>`. */
export function aliasArn(deps: Pick<CoreDeps, "arn">, aliasName: string): string {
  return `arn:aws:kms:${deps.arn.region}:${deps.arn.accountId}:${aliasName}`;
}

/** Whether `name` is a well-formed alias name (`alias/` + `[a-zA-Z0-9/_-]`, ≤ 256 characters). */
export function isAliasName(name: string): boolean {
  return name.length <= 256 && ALIAS_NAME.test(name);
}

/** What a caller's key reference names, before looking it up. */
export type KeyRef = { kind: "key"; id: string } | { kind: "alias"; name: string };

/**
 * Parses a key id, key ARN, `alias/<name>` or alias ARN. ARNs must name this service's region
 * and account: a foreign ARN can never resolve to a local key.
 */
export function parseKeyRef(deps: Pick<CoreDeps, "arn">, ref: string): KeyRef {
  if (ref.length === 0) throw new KmsError("InvalidArgument", "KeyId is required.");
  if (ref.length > MAX_KEY_REF) throw new KmsError("InvalidArgument", "KeyId must be at most 2048 characters.");
  const prefix = `arn:aws:kms:${deps.arn.region}:${deps.arn.accountId}:`;
  let rest = ref;
  if (ref.startsWith("arn:")) {
    if (!ref.startsWith(prefix)) throw notFound(ref);
    rest = ref.slice(prefix.length);
    if (rest.startsWith("key/")) rest = rest.slice(4);
    else if (!rest.startsWith("alias/")) throw notFound(ref);
  }
  if (rest.startsWith("alias/")) {
    if (!isAliasName(rest)) throw notFound(ref);
    return { kind: "alias", name: rest };
  }
  if (!KEY_ID.test(rest)) throw notFound(ref);
  return { kind: "key", id: rest };
}

/** Resolves any key reference to its key, or `NotFound`. */
export async function resolveKey(deps: Pick<CoreDeps, "arn" | "store">, ref: string): Promise<KeyRecord> {
  const id = await resolveKeyId(deps, ref);
  const key = await deps.store.getKey(id);
  if (!key) throw notFound(ref);
  return key;
}

/** Resolves any key reference to a key id (an alias through the store), or `NotFound`. */
export async function resolveKeyId(deps: Pick<CoreDeps, "arn" | "store">, ref: string): Promise<string> {
  const parsed = parseKeyRef(deps, ref);
  if (parsed.kind === "key") return parsed.id;
  const alias = await deps.store.getAlias(parsed.name);
  if (!alias) throw notFound(ref);
  return alias.keyId;
}

function notFound(ref: string): KmsError {
  return new KmsError("NotFound", `Key '${ref.slice(0, 300)}' does not exist.`);
}
