/**
 * Deterministic mutations for the fuzzer: a seeded PRNG (mulberry32), byte-level mutators for
 * binary and text bodies, and structure-aware mutators for JSON. Every run with the same seed
 * sends the same bodies, so a failure names a case that can be replayed.
 */

export type Rng = () => number;

/** mulberry32: small, fast and good enough to pick mutations (not for anything secret). */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: Rng, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, items.length)]!;

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x22, 0x08];

function randomBytes(r: Rng, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = int(r, 256);
  return out;
}

type ByteMutator = (r: Rng, b: Buffer, donor: Buffer) => Buffer;

/** Each returns a new buffer; none changes its input. */
const BYTE_MUTATORS: Record<string, ByteMutator> = {
  flipBit(r, b) {
    if (b.length === 0) return Buffer.from([1 << int(r, 8)]);
    const out = Buffer.from(b);
    const i = int(r, out.length);
    out[i] = out[i]! ^ (1 << int(r, 8));
    return out;
  },
  setByte(r, b) {
    const out = Buffer.from(b.length === 0 ? [0] : b);
    out[int(r, out.length)] = r() < 0.5 ? pick(r, INTERESTING) : int(r, 256);
    return out;
  },
  truncate(r, b) {
    return b.subarray(0, int(r, b.length));
  },
  deleteSlice(r, b) {
    const at = int(r, b.length + 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(r, 16))]);
  },
  insertBytes(r, b) {
    const at = int(r, b.length + 1);
    return Buffer.concat([b.subarray(0, at), randomBytes(r, 1 + int(r, 8)), b.subarray(at)]);
  },
  duplicateSlice(r, b) {
    const at = int(r, b.length + 1);
    const slice = b.subarray(at, at + 1 + int(r, 32));
    return Buffer.concat([b.subarray(0, at), slice, slice, b.subarray(at)]);
  },
  overlongVarint(r, b) {
    const at = int(r, b.length + 1);
    return Buffer.concat([b.subarray(0, at), Buffer.alloc(6 + int(r, 6), 0xff), b.subarray(at)]);
  },
  splice(r, b, donor) {
    const at = int(r, b.length + 1);
    return Buffer.concat([b.subarray(0, at), donor.subarray(int(r, donor.length + 1))]);
  },
};

const BYTE_MUTATOR_NAMES = Object.keys(BYTE_MUTATORS);

/**
 * Applies one byte mutation (most often), two or three; returns the bytes and the mutators' names.
 * Single mutations keep many requests close enough to valid to reach core.
 */
export function mutateBytes(r: Rng, input: Uint8Array, donor: Uint8Array): { bytes: Buffer; how: string } {
  let bytes: Buffer = Buffer.from(input);
  const names: string[] = [];
  for (let n = r() < 0.7 ? 1 : 2 + int(r, 2); n > 0; n--) {
    const name = pick(r, BYTE_MUTATOR_NAMES);
    bytes = BYTE_MUTATORS[name]!(r, bytes, Buffer.from(donor));
    names.push(name);
  }
  return { bytes, how: names.join("+") };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ODD_VALUES: Json[] = [
  null,
  true,
  0,
  -1,
  1.5,
  4294967296,
  "",
  "%%not base64%%",
  "A".repeat(5000),
  [],
  {},
  ["x"],
  "KEY_SPEC_RSA_4096",
  "RSA_4096",
  "bogus_enum",
  JSON.parse('{"__proto__":"tenant-B"}') as Json,
  { "": "empty key" },
];

/**
 * A structure-aware JSON mutation: replace a member's value with an odd one, delete it, add an
 * unknown member, or add a `__proto__` entry to an object (the key JSON.parse keeps as an own
 * property). Applied at the top level or one level down.
 */
export function mutateJson(r: Rng, text: string): { text: string; how: string } {
  const root = JSON.parse(text) as { [k: string]: Json };
  const objects: { [k: string]: Json }[] = [root];
  for (const v of Object.values(root)) if (v && typeof v === "object" && !Array.isArray(v)) objects.push(v);
  const target = pick(r, objects);
  const keys = Object.keys(target);
  const choice = int(r, 4);
  if (choice === 0 && keys.length > 0) {
    const key = pick(r, keys);
    target[key] = pick(r, ODD_VALUES);
    return { text: JSON.stringify(root), how: `json:replace ${key}` };
  }
  if (choice === 1 && keys.length > 0) {
    const key = pick(r, keys);
    delete target[key];
    return { text: JSON.stringify(root), how: `json:delete ${key}` };
  }
  if (choice === 2) {
    Object.defineProperty(target, "__proto__", {
      value: "tenant-B",
      enumerable: true,
      configurable: true,
      writable: true,
    });
    return { text: JSON.stringify(root), how: "json:__proto__" };
  }
  target[`unknown${int(r, 100)}`] = pick(r, ODD_VALUES);
  return { text: JSON.stringify(root), how: "json:unknown member" };
}

/**
 * The shallowest depth (0 = the top object) at which the JSON text has an object with an own
 * `__proto__` member, or undefined when it has none or is not JSON. Such an entry in a map must be
 * refused, never silently dropped.
 */
export function protoKeyDepth(text: string): number | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  let level: unknown[] = [root];
  for (let depth = 0; level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const v of level) {
      if (v === null || typeof v !== "object") continue;
      if (!Array.isArray(v) && Object.hasOwn(v, "__proto__")) return depth;
      next.push(...Object.values(v));
    }
    level = next;
  }
  return undefined;
}
