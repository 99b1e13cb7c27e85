import { KmsError } from "../domain/errors.js";
import type { EncryptionContext } from "../domain/types.js";
import { AwsProtocolError, serializationError } from "./errors.js";

/** A JSON object as it came off the wire: nothing about its members is trusted yet. */
export type JsonObject = Record<string, unknown>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses a request body. AWS answers a body that is not a JSON object with
 * `SerializationException`; an empty body counts as `{}` (what the SDKs send for operations
 * without input).
 */
export function parseBody(raw: Buffer): JsonObject {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new AwsProtocolError("SerializationException", "The request body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AwsProtocolError("SerializationException", "The request body must be a JSON object.");
  }
  return value as JsonObject;
}

/** AWS member names appear in validation messages in camelCase (`'numberOfBytes'`). */
export function memberField(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** AWS's wording for a missing required member. */
export function missing(name: string): KmsError {
  return new KmsError(
    "InvalidArgument",
    `1 validation error detected: Value null at '${memberField(name)}' failed to satisfy constraint: Member must not be null`,
  );
}

/**
 * Typed, checked access to a request's members. A member of the wrong JSON type is a
 * `SerializationException` — never a crash and never coerced — and `null` counts as absent, as
 * in AWS's JSON protocol. Unknown members are ignored, as AWS ignores them.
 */
export class Members {
  constructor(private readonly body: JsonObject) {}

  private get(name: string): unknown {
    return Object.hasOwn(this.body, name) ? (this.body[name] ?? undefined) : undefined;
  }

  string(name: string): string | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw serializationError(name, "a string");
    return v;
  }

  requiredString(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw missing(name);
    return v;
  }

  /** A JSON number; range and integrality are core's to judge, so its messages apply. */
  integer(name: string): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== "number") throw serializationError(name, "a number");
    return v;
  }

  boolean(name: string): boolean | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") throw serializationError(name, "a boolean");
    return v;
  }

  /** A blob: standard padded base64 in a JSON string (AWS JSON 1.1). Lenient decoding would hide corruption. */
  blob(name: string): Buffer | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !BASE64.test(v)) throw serializationError(name, "a base64-encoded string");
    return Buffer.from(v, "base64");
  }

  requiredBlob(name: string): Buffer {
    const v = this.blob(name);
    if (v === undefined) throw missing(name);
    return v;
  }

  /** A string-to-string map (`EncryptionContext`); absent is the empty context. */
  stringMap(name: string): EncryptionContext {
    const v = this.get(name);
    if (v === undefined) return {};
    if (typeof v !== "object" || Array.isArray(v) || v === null) throw serializationError(name, "a map of strings");
    const out = stringRecord();
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== "string") throw serializationError(name, "a map of strings");
      out[k] = val;
    }
    return out;
  }

  /** A list of strings (`GrantTokens`, `TagKeys`); absent is empty. */
  stringList(name: string): string[] {
    const v = this.get(name);
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      throw serializationError(name, "a list of strings");
    }
    return v as string[];
  }

  /** AWS's tag list `[{TagKey, TagValue}]` as a map; a key given twice is `TagException`, as in AWS. */
  tags(name: string): Record<string, string> {
    const v = this.get(name);
    if (v === undefined) return {};
    if (!Array.isArray(v)) throw serializationError(name, "a list of tags");
    const out = stringRecord();
    for (const item of v) {
      const tag = new Members(isObject(item) ? item : throwTag(name));
      const key = tag.requiredString("TagKey");
      if (Object.hasOwn(out, key)) throw new KmsError("Tag", "The same tag key appears twice in the request.");
      out[key] = tag.requiredString("TagValue");
    }
    return out;
  }

  /** A nested structure (e.g. a grant's `Constraints`); absent is undefined. */
  structure(name: string): Members | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!isObject(v)) throw serializationError(name, "a structure");
    return new Members(v);
  }

  /** Whether the caller set a member at all (for options this service refuses rather than ignores). */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

/**
 * A map built from caller-chosen keys has no prototype: on a plain object, assigning the key
 * `__proto__` sets the prototype instead of an entry, so the entry would vanish before core's
 * validation (which refuses that key) could see it.
 */
function stringRecord(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function throwTag(name: string): never {
  throw serializationError(name, "a list of tags");
}

/** AWS timestamps in JSON 1.1: epoch seconds, fractional allowed. */
export function epochSeconds(d: Date): number {
  return d.getTime() / 1000;
}

/**
 * Refuses AWS options this service does not implement rather than silently ignoring them: a
 * `Recipient` (Nitro Enclave attestation) answered with the plaintext in the clear would do what
 * the caller asked not to happen. (`DryRun` is implemented: `operations/dry-run.ts`.)
 */
export function refuseUnsupported(m: Members, names: readonly "Recipient"[]): void {
  for (const name of names) {
    if (m.has(name)) throw new KmsError("UnsupportedOperation", `${name} is not supported by this service.`);
  }
}
