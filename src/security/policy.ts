import { KmsError } from "../domain/errors.js";
import { wildcardMatch } from "./wildcard.js";

/**
 * Key policies: the subset of the AWS IAM policy language that AWS KMS key policies use
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html), with principals
 * named by this service's principal names instead of ARNs.
 *
 * Parsing is strict: an element we do not implement (`NotAction`, an unknown condition
 * operator, …) is refused rather than ignored, because ignoring part of a statement would make an
 * `Allow` broader or a `Deny` narrower than its author wrote.
 */

/** AWS's limit on a key policy document. */
export const MAX_POLICY_BYTES = 32 * 1024;

/** The policy-language versions AWS accepts; neither changes anything this subset uses. */
export const POLICY_VERSIONS = ["2012-10-17", "2008-10-17"] as const;

/** A condition on the request's encryption context. All conditions of a statement must hold. */
export type PolicyCondition =
  | {
      /** `StringEquals` / `StringLike` on `kms:EncryptionContext:<contextKey>`. */
      kind: "context-value";
      operator: "StringEquals" | "StringLike";
      contextKey: string;
      /** The condition holds when the context's value matches any of these. */
      values: string[];
    }
  | {
      /** `ForAllValues:StringEquals` on `kms:EncryptionContextKeys`: every context key is listed. */
      kind: "context-keys";
      values: string[];
    };

export interface PolicyStatement {
  sid?: string;
  effect: "Allow" | "Deny";
  /** `"*"` (anyone authenticated) or principal names. */
  principals: "*" | string[];
  /** Lower-cased action patterns, `kms:` prefixed, `*`/`?` wildcards allowed. */
  actions: string[];
  conditions: PolicyCondition[];
}

/** A parsed, validated key policy. */
export interface Policy {
  version: string;
  statements: PolicyStatement[];
}

/** What a request asks for, as policy evaluation sees it. */
export interface PolicyRequest {
  principal: string;
  /** `kms:` + the AWS operation name, e.g. `"kms:Encrypt"`. */
  action: string;
  /** The request's encryption context (empty when the operation has none). */
  context: Readonly<Record<string, string>>;
}

export type PolicyDecision = "allow" | "deny" | "implicit-deny";

const ACTION = /^kms:[A-Za-z0-9*?]+$/i;
const CONTEXT_VALUE_PREFIX = "kms:encryptioncontext:";
const CONTEXT_KEYS = "kms:encryptioncontextkeys";
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]);

function invalid(message: string): KmsError {
  return new KmsError("InvalidArgument", `The key policy is invalid: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string or a non-empty array of non-empty strings (IAM's "string or list" elements). */
function stringList(value: unknown, what: string): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === "string" && s !== "")) {
    throw invalid(`${what} must be a non-empty string or a non-empty list of them.`);
  }
  return list as string[];
}

function parsePrincipal(value: unknown): "*" | string[] {
  if (value === "*") return "*";
  if (!isObject(value) || Object.keys(value).length === 0) {
    throw invalid('Principal must be "*" or an object with "KMS" and/or "AWS" principal names.');
  }
  const names: string[] = [];
  for (const [kind, list] of Object.entries(value)) {
    if (kind !== "KMS" && kind !== "AWS") throw invalid(`Principal type ${JSON.stringify(kind)} is not supported.`);
    names.push(...stringList(list, `Principal.${kind}`));
  }
  return names.includes("*") ? "*" : names;
}

function parseActions(value: unknown): string[] {
  const actions = stringList(value, "Action");
  for (const action of actions) {
    if (!ACTION.test(action)) throw invalid(`Action ${JSON.stringify(action)} is not a kms: action.`);
  }
  return actions.map((a) => a.toLowerCase());
}

function parseConditions(value: unknown): PolicyCondition[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw invalid("Condition must be an object.");
  const conditions: PolicyCondition[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block) || Object.keys(block).length === 0) {
      throw invalid(`Condition ${operator} must map condition keys to values.`);
    }
    for (const [conditionKey, raw] of Object.entries(block)) {
      const key = conditionKey.toLowerCase();
      const values = stringListAllowEmptyStrings(raw, `Condition ${operator} ${conditionKey}`);
      if (operator === "StringEquals" || operator === "StringLike") {
        const contextKey = conditionKey.slice(CONTEXT_VALUE_PREFIX.length);
        if (!key.startsWith(CONTEXT_VALUE_PREFIX) || contextKey === "") {
          throw invalid(`${operator} supports only kms:EncryptionContext:<key> condition keys.`);
        }
        conditions.push({ kind: "context-value", operator, contextKey, values });
      } else if (operator === "ForAllValues:StringEquals") {
        if (key !== CONTEXT_KEYS)
          throw invalid(`${operator} supports only the kms:EncryptionContextKeys condition key.`);
        conditions.push({ kind: "context-keys", values });
      } else {
        throw invalid(`Condition operator ${JSON.stringify(operator)} is not supported.`);
      }
    }
  }
  return conditions;
}

/** As {@link stringList}, but `""` is a legal condition value (an empty context value). */
function stringListAllowEmptyStrings(value: unknown, what: string): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === "string")) {
    throw invalid(`${what} must be a string or a non-empty list of strings.`);
  }
  return list as string[];
}

function parseStatement(value: unknown, index: number): PolicyStatement {
  if (!isObject(value)) throw invalid(`Statement ${index} must be an object.`);
  for (const key of Object.keys(value)) {
    if (!STATEMENT_KEYS.has(key)) throw invalid(`Statement element ${JSON.stringify(key)} is not supported.`);
  }
  const { Sid, Effect, Principal, Action, Resource, Condition } = value;
  if (Sid !== undefined && typeof Sid !== "string") throw invalid("Sid must be a string.");
  if (Effect !== "Allow" && Effect !== "Deny") throw invalid('Effect must be "Allow" or "Deny".');
  if (Principal === undefined) throw invalid("every statement needs a Principal.");
  if (Action === undefined) throw invalid("every statement needs an Action.");
  if (Resource !== undefined && !(Resource === "*" || (Array.isArray(Resource) && Resource.every((r) => r === "*")))) {
    throw invalid('Resource must be "*" (the key the policy is attached to).');
  }
  return {
    ...(Sid === undefined ? {} : { sid: Sid }),
    effect: Effect,
    principals: parsePrincipal(Principal),
    actions: parseActions(Action),
    conditions: parseConditions(Condition),
  };
}

/**
 * Parses and validates a key policy document (at most 32 KiB of UTF-8, as AWS allows).
 * `Statement` may be one object or a list of them, as in IAM. Throws `KmsError("InvalidArgument")`
 * (AWS: `MalformedPolicyDocumentException`, which maps to `ValidationException` here) naming the
 * offending element.
 */
export function parsePolicy(json: string): Policy {
  if (new TextEncoder().encode(json).length > MAX_POLICY_BYTES) throw invalid("it is larger than 32 KiB.");
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw invalid("it is not JSON.");
  }
  if (!isObject(doc)) throw invalid("it must be a JSON object.");
  for (const key of Object.keys(doc)) {
    if (key !== "Version" && key !== "Id" && key !== "Statement") {
      throw invalid(`top-level element ${JSON.stringify(key)} is not supported.`);
    }
  }
  const version = doc.Version ?? "2012-10-17";
  if (typeof version !== "string" || !(POLICY_VERSIONS as readonly string[]).includes(version)) {
    throw invalid('Version must be "2012-10-17".');
  }
  if (doc.Id !== undefined && typeof doc.Id !== "string") throw invalid("Id must be a string.");
  const raw = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  if (raw.length === 0) throw invalid("it needs at least one Statement.");
  return { version, statements: raw.map(parseStatement) };
}

/**
 * The context values a `kms:EncryptionContext:<key>` condition looks at. IAM condition key names
 * are case-insensitive, so `<key>` matches context keys in any case; when a context holds several
 * keys differing only in case, an Allow needs every one to match and a Deny applies if any does
 * (the safe reading either way).
 */
function contextValuesFor(context: Readonly<Record<string, string>>, key: string): string[] {
  const wanted = key.toLowerCase();
  return Object.entries(context)
    .filter(([k]) => k.toLowerCase() === wanted)
    .map(([, v]) => v);
}

function conditionHolds(
  condition: PolicyCondition,
  context: Readonly<Record<string, string>>,
  effect: "Allow" | "Deny",
): boolean {
  if (condition.kind === "context-keys") {
    // ForAllValues over an empty set is true (IAM semantics): with no context, the condition holds.
    return Object.keys(context).every((k) => condition.values.includes(k));
  }
  const present = contextValuesFor(context, condition.contextKey);
  if (present.length === 0) return false;
  const matches = (v: string) =>
    condition.operator === "StringEquals"
      ? condition.values.includes(v)
      : condition.values.some((pattern) => wildcardMatch(pattern, v));
  return effect === "Allow" ? present.every(matches) : present.some(matches);
}

function statementApplies(statement: PolicyStatement, request: PolicyRequest): boolean {
  if (statement.principals !== "*" && !statement.principals.includes(request.principal)) return false;
  const action = request.action.toLowerCase();
  if (!statement.actions.some((pattern) => wildcardMatch(pattern, action))) return false;
  return statement.conditions.every((c) => conditionHolds(c, request.context, statement.effect));
}

/**
 * Evaluates a key policy as AWS does: an applicable `Deny` wins; otherwise an applicable `Allow`
 * allows; otherwise the request is implicitly denied. Actions match case-insensitively (IAM action
 * names are); principal names and condition values case-sensitively.
 *
 * The caller combines this with grants (a grant can allow what the policy implicitly denies, never
 * what it explicitly denies) and lets admins through before evaluating at all.
 */
export function evaluatePolicy(policy: Policy, request: PolicyRequest): PolicyDecision {
  let allowed = false;
  for (const statement of policy.statements) {
    if (!statementApplies(statement, request)) continue;
    if (statement.effect === "Deny") return "deny";
    allowed = true;
  }
  return allowed ? "allow" : "implicit-deny";
}

/**
 * The policy a new key gets: its creator may do everything with it (`kms:*`). Admins are not
 * named: the caller allows admin principals before consulting any key policy, so an admin can
 * always repair a key whose policy locks everyone else out.
 */
export function defaultKeyPolicy(creator: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Id: "kms-default-policy",
    Statement: [
      {
        Sid: "Allow the creating principal full access",
        Effect: "Allow",
        Principal: { KMS: creator },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  });
}
