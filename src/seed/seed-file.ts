import { createPrivateKey, createPublicKey } from "node:crypto";
import { parse } from "yaml";
import { specRow, specsWhere } from "../domain/specs.js";
import type { KeySpec, KeyUsage } from "../domain/types.js";

/**
 * The seed file (`KMS_SEED_FILE`, `docs/seeding.md`): local-kms's `seed.yaml` format unchanged —
 * `Keys.Symmetric.Aes` / `Keys.Symmetric.Hmac` with hex `BackingKeys` (several = a rotated key,
 * the last one primary), `Keys.Asymmetric.Rsa` / `Keys.Asymmetric.Ecc` with a PEM private key,
 * and `Aliases` — plus our own members: `Metadata.Tags`, `Metadata.Policy` and `Metadata.Enabled`
 * on keys, and a top-level `Principals` list with fixed credentials.
 *
 * Parsing is strict: an unknown member, a key spec this service does not have, or material of the
 * wrong size stops start-up with a message naming where in the file it is. Messages never quote
 * material.
 */

export interface SeedKey {
  id: string;
  spec: KeySpec;
  usage: KeyUsage;
  description: string;
  /** One secret per version, oldest first: raw bytes (AES, HMAC) or PKCS#8 DER (RSA, EC). */
  secrets: Buffer[];
  /** SPKI DER of asymmetric keys. */
  publicKey: Buffer | null;
  enabled: boolean;
  nextRotation: Date | null;
  tags: Record<string, string>;
  policy: string | null;
}

export interface SeedPrincipal {
  name: string;
  admin: boolean;
  token?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

export interface SeedPlan {
  keys: SeedKey[];
  aliases: { name: string; keyId: string }[];
  principals: SeedPrincipal[];
}

/** A seed-file problem; the message names the place in the file. */
export class SeedError extends Error {
  override readonly name = "SeedError";
}

type Obj = Record<string, unknown>;

function object(value: unknown, at: string, allowed: readonly string[]): Obj {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new SeedError(`${at}: expected a map`);
  for (const k of Object.keys(value)) {
    if (!allowed.includes(k)) throw new SeedError(`${at}: unknown member '${k}' (allowed: ${allowed.join(", ")})`);
  }
  return value as Obj;
}

function list(value: unknown, at: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new SeedError(`${at}: expected a list`);
  return value;
}

function text(value: unknown, at: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string") throw new SeedError(`${at}: expected a string`);
  return value;
}

function hexKey(value: unknown, at: string, bytes: number): Buffer {
  const hex = text(value, at);
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length !== bytes * 2) {
    throw new SeedError(`${at}: expected ${bytes} bytes as ${bytes * 2} hex digits`);
  }
  return Buffer.from(hex, "hex");
}

function stringMap(value: unknown, at: string): Record<string, string> {
  if (value === undefined) return {};
  const map = object(value, at, Object.keys(value ?? {}));
  for (const [k, v] of Object.entries(map)) text(v, `${at}.${k}`);
  return map as Record<string, string>;
}

const METADATA = ["KeyId", "KeyUsage", "KeySpec", "Description", "Origin", "Tags", "Policy", "Enabled"] as const;

/** The members every key entry shares. */
function metadata(entry: Obj, at: string) {
  const m = object(entry.Metadata, `${at}.Metadata`, METADATA);
  const id = text(m.KeyId, `${at}.Metadata.KeyId`);
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new SeedError(`${at}.Metadata.KeyId: expected a lower-case UUID`);
  }
  const origin = text(m.Origin, `${at}.Metadata.Origin`, "AWS_KMS");
  if (origin !== "AWS_KMS" && origin !== "EXTERNAL") throw new SeedError(`${at}.Metadata.Origin: AWS_KMS or EXTERNAL`);
  const policy = m.Policy === undefined ? null : typeof m.Policy === "string" ? m.Policy : JSON.stringify(m.Policy);
  const enabled = flag(m.Enabled, `${at}.Metadata.Enabled`, true);
  return {
    id,
    usage: m.KeyUsage === undefined ? undefined : text(m.KeyUsage, `${at}.Metadata.KeyUsage`),
    spec: m.KeySpec === undefined ? undefined : text(m.KeySpec, `${at}.Metadata.KeySpec`),
    description: text(m.Description, `${at}.Metadata.Description`, ""),
    tags: stringMap(m.Tags, `${at}.Metadata.Tags`),
    policy,
    enabled,
  };
}

/** `true` or `false` (every scalar is a string under the failsafe schema). */
function flag(value: unknown, at: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === "true" || value === "false") return value === "true";
  throw new SeedError(`${at}: true or false`);
}

function nextRotation(value: unknown, at: string): Date | null {
  if (value === undefined) return null;
  const date = new Date(text(value, at));
  if (Number.isNaN(date.getTime())) throw new SeedError(`${at}: expected an ISO 8601 date`);
  return date;
}

/**
 * A symmetric entry of one of `specs`: the first when `KeySpec` is absent; `KeySpec` may use our
 * name or AWS's. Each backing key is as long as the spec's generated material.
 */
function symmetric(entry: unknown, at: string, specs: readonly KeySpec[], usage: KeyUsage): SeedKey {
  const e = object(entry, at, ["Metadata", "BackingKeys", "NextKeyRotation"]);
  const meta = metadata(e, at);
  if (meta.usage !== undefined && meta.usage !== usage)
    throw new SeedError(`${at}.Metadata.KeyUsage: must be ${usage}`);
  const spec = meta.spec === undefined ? specs[0]! : specs.find((s) => meta.spec === s || meta.spec === specRow(s).aws);
  if (spec === undefined) {
    throw new SeedError(`${at}.Metadata.KeySpec: ${meta.spec} is not supported here (only ${specs.join(", ")})`);
  }
  const generation = specRow(spec).generate;
  const bytes = generation.kind === "random" ? generation.bytes : 32;
  const secrets = list(e.BackingKeys, `${at}.BackingKeys`).map((k, i) => hexKey(k, `${at}.BackingKeys[${i}]`, bytes));
  if (secrets.length === 0) {
    throw new SeedError(`${at}.BackingKeys: at least one key is needed (keys pending import are not supported)`);
  }
  const { usage: _u, spec: _s, ...rest } = meta;
  return {
    ...rest,
    spec,
    usage,
    secrets,
    publicKey: null,
    nextRotation: nextRotation(e.NextKeyRotation, `${at}.NextKeyRotation`),
  };
}

/** The catalogue spec of a PEM private key: RSA by modulus size, EC by curve (the rows' `generate`). */
function asymmetricSpec(
  type: string | undefined,
  details: { modulusLength?: number; namedCurve?: string },
): KeySpec | undefined {
  return specsWhere(({ generate: g }) =>
    type === "rsa"
      ? g.kind === "rsa" && g.modulusBits === details.modulusLength
      : type === "ec" && g.kind === "ec" && g.namedCurve === details.namedCurve,
  )[0];
}

/** The key kinds of one asymmetric seed family, for messages: `RSA 2048/3072/4096`, `EC prime256v1/…`. */
function familyKinds(family: "rsa" | "ec"): string {
  const kinds = specsWhere(() => true).flatMap((s) => {
    const g = specRow(s).generate;
    if (family === "rsa" && g.kind === "rsa") return [String(g.modulusBits)];
    if (family === "ec" && g.kind === "ec") return [g.namedCurve];
    return [];
  });
  return `${family === "rsa" ? "RSA" : "EC"} ${kinds.join("/")}`;
}

function asymmetric(entry: unknown, at: string, family: "rsa" | "ec"): SeedKey {
  const e = object(entry, at, ["Metadata", "PrivateKeyPem"]);
  const meta = metadata(e, at);
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(text(e.PrivateKeyPem, `${at}.PrivateKeyPem`));
  } catch (err) {
    if (err instanceof SeedError) throw err;
    throw new SeedError(`${at}.PrivateKeyPem: not a PEM private key`);
  }
  const spec = asymmetricSpec(key.asymmetricKeyType, key.asymmetricKeyDetails ?? {});
  if (!spec || key.asymmetricKeyType !== family) {
    throw new SeedError(`${at}.PrivateKeyPem: expected an ${familyKinds(family)} key`);
  }
  const usage = (meta.usage ?? "SIGN_VERIFY") as KeyUsage;
  if (!specRow(spec).usages.includes(usage))
    throw new SeedError(`${at}.Metadata.KeyUsage: ${spec} does not support ${usage}`);
  const { usage: _u, spec: _s, ...rest } = meta;
  return {
    ...rest,
    spec,
    usage,
    secrets: [key.export({ type: "pkcs8", format: "der" })],
    publicKey: createPublicKey(key).export({ type: "spki", format: "der" }),
    nextRotation: null,
  };
}

/** The HMAC specs, HMAC_256 first: local-kms's default when an entry names none. */
const HMAC_SEED_SPECS: readonly KeySpec[] = [
  "HMAC_256",
  ...specsWhere((r) => r.family === "HMAC").filter((s) => s !== "HMAC_256"),
];

function principal(entry: unknown, at: string): SeedPrincipal {
  const e = object(entry, at, ["Name", "Admin", "Token", "AccessKeyId", "SecretAccessKey"]);
  const optional = (k: string) => (e[k] === undefined ? undefined : text(e[k], `${at}.${k}`));
  return {
    name: text(e.Name, `${at}.Name`),
    admin: flag(e.Admin, `${at}.Admin`, false),
    token: optional("Token"),
    accessKeyId: optional("AccessKeyId"),
    secretAccessKey: optional("SecretAccessKey"),
  };
}

/** Parses and checks a seed file's text; throws {@link SeedError}. */
export function parseSeedFile(source: string): SeedPlan {
  let doc: unknown;
  try {
    // The failsafe schema reads every scalar as a string, as local-kms's Go decoder fills its
    // string fields: a hex key of only digits (or digits and one "e") stays text, never a number.
    doc = parse(source, { prettyErrors: false, schema: "failsafe" });
  } catch (err) {
    throw new SeedError(`not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const root = object(doc ?? {}, "seed file", ["Keys", "Aliases", "Principals"]);
  const keys = object(root.Keys ?? {}, "Keys", ["Symmetric", "Asymmetric"]);
  const sym = object(keys.Symmetric ?? {}, "Keys.Symmetric", ["Aes", "Hmac"]);
  const asym = object(keys.Asymmetric ?? {}, "Keys.Asymmetric", ["Rsa", "Ecc"]);
  const each = <T>(value: unknown, at: string, fn: (e: unknown, at: string) => T) =>
    list(value, at).map((e, i) => fn(e, `${at}[${i}]`));
  const planned = [
    ...each(sym.Aes, "Keys.Symmetric.Aes", (e, at) => symmetric(e, at, ["AES_256"], "ENCRYPT_DECRYPT")),
    ...each(sym.Hmac, "Keys.Symmetric.Hmac", (e, at) => symmetric(e, at, HMAC_SEED_SPECS, "GENERATE_VERIFY_MAC")),
    ...each(asym.Rsa, "Keys.Asymmetric.Rsa", (e, at) => asymmetric(e, at, "rsa")),
    ...each(asym.Ecc, "Keys.Asymmetric.Ecc", (e, at) => asymmetric(e, at, "ec")),
  ];
  const ids = new Set<string>();
  for (const k of planned) {
    if (ids.has(k.id)) throw new SeedError(`Keys: the key id ${k.id} appears twice`);
    ids.add(k.id);
  }
  const aliases = each(root.Aliases, "Aliases", (e, at) => {
    const a = object(e, at, ["AliasName", "TargetKeyId"]);
    return { name: text(a.AliasName, `${at}.AliasName`), keyId: text(a.TargetKeyId, `${at}.TargetKeyId`) };
  });
  return { keys: planned, aliases, principals: each(root.Principals, "Principals", principal) };
}
