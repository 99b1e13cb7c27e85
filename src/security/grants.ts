import { randomBytes } from "node:crypto";
import { KmsError } from "../domain/errors.js";
import type { RandomBytes } from "./credentials.js";
import type { Grant, GrantConstraints } from "../domain/security-records.js";

export type { Grant, GrantConstraints } from "../domain/security-records.js";

/**
 * Grants as AWS KMS defines them (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html):
 * a grant lets one principal perform a listed set of operations on one key, optionally only
 * under an encryption-context constraint, and takes effect at once when its token is presented.
 */

import { GRANT_OPERATIONS, type GrantOperation } from "../domain/grant-operations.js";

export { GRANT_OPERATIONS, type GrantOperation } from "../domain/grant-operations.js";

/**
 * Operations without an encryption context: AWS refuses a grant constraint on them (they use
 * asymmetric or HMAC keys, where a constraint could never be met).
 */
const NO_CONTEXT_CRYPTO: ReadonlySet<string> = new Set([
  "Sign",
  "Verify",
  "GetPublicKey",
  "GenerateMac",
  "VerifyMac",
  "DeriveSharedSecret",
  "Encapsulate",
  "Decapsulate",
]);

/**
 * Management operations a constrained grant may include; the constraint does not apply to them
 * (AWS: "Grants with grant constraints can include the DescribeKey and RetireGrant operations,
 * but the constraint doesn't apply"). `CreateGrant` under a constraint is checked with
 * {@link constraintsWithin} instead.
 */
const CONSTRAINT_EXEMPT: ReadonlySet<string> = new Set(["DescribeKey", "RetireGrant", "CreateGrant"]);

export function isGrantOperation(name: string): name is GrantOperation {
  return (GRANT_OPERATIONS as readonly string[]).includes(name);
}

/** AWS limits: grant names `^[a-zA-Z0-9:/_-]+$` up to 256 characters; 8 pairs per constraint. */
const GRANT_NAME = /^[a-zA-Z0-9:/_-]{1,256}$/;
const MAX_CONSTRAINT_PAIRS = 8;
const MAX_CONSTRAINT_VALUE = 384;
const MAX_PRINCIPAL = 256;

/** What `CreateGrant` asks for, before ids, tokens and timestamps are assigned. */
export interface GrantRequest {
  grantee: string;
  operations: string[];
  retiringPrincipal?: string;
  constraints?: GrantConstraints;
  name?: string;
}

function invalid(message: string): KmsError {
  return new KmsError("InvalidArgument", message);
}

function checkPrincipal(value: string, field: string): void {
  if (value.length === 0 || value.length > MAX_PRINCIPAL) {
    throw invalid(`${field} must be 1 to ${MAX_PRINCIPAL} characters.`);
  }
}

function checkContextMap(map: Record<string, string>, field: string): void {
  const entries = Object.entries(map);
  if (entries.length === 0 || entries.length > MAX_CONSTRAINT_PAIRS) {
    throw invalid(`${field} must hold 1 to ${MAX_CONSTRAINT_PAIRS} pairs.`);
  }
  const lowered = new Set<string>();
  for (const [k, v] of entries) {
    if (k === "" || typeof v !== "string" || v.length > MAX_CONSTRAINT_VALUE) {
      throw invalid(`${field} has an empty key or a value that is not a string of at most 384 characters.`);
    }
    // Encryption contexts never hold `__proto__` (core/validate.ts), so such a constraint could never match.
    if (k === "__proto__") throw invalid(`${field} must not use the key __proto__.`);
    // Constraint keys compare case-insensitively (AWS), so two keys differing in case are ambiguous.
    if (lowered.has(k.toLowerCase())) throw invalid(`${field} has two keys that differ only in case.`);
    lowered.add(k.toLowerCase());
  }
}

/**
 * Validates a `CreateGrant` request and returns it normalised (operations de-duplicated, in the
 * order given). Throws `KmsError("InvalidArgument")` for an unknown operation, an empty list, a
 * malformed name or constraint, or a constraint on an operation that has no encryption context.
 * Whether the caller may create the grant at all is the caller's check, not this one.
 */
export function validateGrantRequest(request: GrantRequest): GrantRequest {
  checkPrincipal(request.grantee, "GranteePrincipal");
  if (request.retiringPrincipal !== undefined) checkPrincipal(request.retiringPrincipal, "RetiringPrincipal");
  if (request.operations.length === 0) throw invalid("Operations must name at least one operation.");
  for (const op of request.operations) {
    if (!isGrantOperation(op)) throw invalid(`Operations has an unknown grant operation: ${JSON.stringify(op)}.`);
  }
  if (request.name !== undefined && !GRANT_NAME.test(request.name)) {
    throw invalid("Name must be 1 to 256 characters of [a-zA-Z0-9:/_-].");
  }
  const c = request.constraints;
  if (c !== undefined) {
    if (c.encryptionContextEquals === undefined && c.encryptionContextSubset === undefined) {
      throw invalid("Constraints must set EncryptionContextEquals or EncryptionContextSubset.");
    }
    if (c.encryptionContextEquals !== undefined) checkContextMap(c.encryptionContextEquals, "EncryptionContextEquals");
    if (c.encryptionContextSubset !== undefined) checkContextMap(c.encryptionContextSubset, "EncryptionContextSubset");
    const unconstrainable = request.operations.find((op) => NO_CONTEXT_CRYPTO.has(op));
    if (unconstrainable !== undefined) {
      throw invalid(`A grant constraint cannot apply to ${unconstrainable}, which has no encryption context.`);
    }
  }
  return { ...request, operations: [...new Set(request.operations)] };
}

/** Context keys lower-cased; null when two keys collide, which no constraint can then judge. */
function foldKeys(context: Readonly<Record<string, string>>): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(context)) {
    const key = k.toLowerCase();
    if (out.has(key)) return null;
    out.set(key, v);
  }
  return out;
}

function contains(context: Map<string, string>, required: Record<string, string>): boolean {
  return Object.entries(required).every(([k, v]) => context.get(k.toLowerCase()) === v);
}

/** Whether a request's encryption context satisfies a grant's constraints. */
export function constraintsSatisfied(
  constraints: GrantConstraints | undefined,
  context: Readonly<Record<string, string>>,
): boolean {
  if (constraints === undefined) return true;
  const folded = foldKeys(context);
  if (folded === null) return false;
  const { encryptionContextEquals: equals, encryptionContextSubset: subset } = constraints;
  if (equals !== undefined && (folded.size !== Object.keys(equals).length || !contains(folded, equals))) return false;
  if (subset !== undefined && !contains(folded, subset)) return false;
  return true;
}

/**
 * Whether a grant lets `principal` perform `operation` (an AWS grant operation name; the caller
 * maps ReEncrypt to `ReEncryptFrom` on the source key and `ReEncryptTo` on the destination)
 * with this encryption context.
 *
 * AWS semantics: `EncryptionContextEquals` needs the request's context to be exactly the
 * constraint's map; `EncryptionContextSubset` needs every constraint pair in the context, extra
 * pairs allowed. Constraint keys match case-insensitively and values case-sensitively, as AWS
 * documents; a context with two keys differing only in case satisfies no constraint. The
 * constraint does not apply to `DescribeKey`, `RetireGrant` and `CreateGrant`.
 *
 * Grants only add permissions: the caller still refuses what the key policy explicitly denies.
 */
export function grantAllows(
  grant: Grant,
  request: { principal: string; operation: string; context: Readonly<Record<string, string>> },
): boolean {
  if (grant.grantee !== request.principal) return false;
  if (!grant.operations.includes(request.operation)) return false;
  if (CONSTRAINT_EXEMPT.has(request.operation)) return true;
  return constraintsSatisfied(grant.constraints, request.context);
}

/**
 * Whether a grant created through a constrained grant's `CreateGrant` permission is at least as
 * strict (AWS: "any grants created with the CreateGrant permission have an equally strict or
 * stricter encryption context constraint"): every context the child accepts, the parent accepts.
 */
export function constraintsWithin(parent: GrantConstraints | undefined, child: GrantConstraints | undefined): boolean {
  if (parent === undefined) return true;
  if (child === undefined) return false;
  const childEquals = child.encryptionContextEquals;
  if (childEquals !== undefined) return constraintsSatisfied(parent, childEquals);
  if (parent.encryptionContextEquals !== undefined) return false;
  const childSubset = child.encryptionContextSubset ?? {};
  const folded = foldKeys(childSubset);
  return folded !== null && contains(folded, parent.encryptionContextSubset ?? {});
}

const GRANT_TOKEN_PREFIX = "kmsgt_";
const GRANT_TOKEN = /^kmsgt_[A-Za-z0-9_-]{43}$/;

/**
 * A new grant token: `kmsgt_` + base64url of 32 random bytes. Opaque to clients; stored only as
 * its SHA-256 (`hashToken`), so the store can find the grant by token and a database dump holds no
 * usable token. AWS tokens are longer, but clients treat them as opaque strings.
 */
export function newGrantToken(random: RandomBytes = randomBytes): string {
  return GRANT_TOKEN_PREFIX + random(32).toString("base64url");
}

/**
 * Whether a string has the shape of one of our grant tokens. The caller answers
 * `InvalidGrantToken` for a malformed token without a store lookup, and for a well-formed one
 * whose hash matches no grant.
 */
export function isWellFormedGrantToken(token: string): boolean {
  return GRANT_TOKEN.test(token);
}

/** A new grant id: 64 hex characters (256 random bits), the shape of AWS grant ids. */
export function newGrantId(random: RandomBytes = randomBytes): string {
  return random(32).toString("hex");
}
