import {
  create,
  type DescMethod,
  fromBinary,
  fromJsonString,
  type MessageInitShape,
  toBinary,
  toJsonString,
} from "@bufbuild/protobuf";
import { codeFromString } from "@connectrpc/connect/protocol-connect";
import { ERROR_WIRE } from "../../../src/domain/errors.js";
import { connectOutcome, grpcFrame, grpcOutcome, type RawResponse } from "../../helpers/raw-h2.js";
import { int, mutateBytes, mutateJson, pick, protoKeyDepth, type Rng } from "./mutate.js";

/** The protocols whose bodies are fuzzed, each over the one reused HTTP/2 session. */
export const PROTOCOLS = ["grpc", "grpc-web", "connect-proto", "connect-json"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** A valid request to mutate, and what a success must answer. */
export interface Seed {
  name: string;
  method: DescMethod;
  init: MessageInitShape<DescMethod["input"]>;
  /** The plaintext a successful answer must carry (the decrypt family). */
  plaintext?: Uint8Array | undefined;
  /** The bytes fields that hold the ciphertext (mutated one at a time by the "cipher" kind). */
  cipherFields?: readonly string[];
}

/** One mutated request, ready to send. */
export interface FuzzCase {
  protocol: Protocol;
  seed: Seed;
  how: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | string;
  /**
   * Any success is a failure: a ciphertext byte changed (the AEAD must refuse it), or a
   * `__proto__` member was added (an unknown field, or a map key that must not vanish).
   */
  mustFail: boolean;
}

const CONTENT_TYPES: Record<Protocol, string> = {
  grpc: "application/grpc",
  "grpc-web": "application/grpc-web+proto",
  "connect-proto": "application/proto",
  "connect-json": "application/json",
};

/** Every code the error table documents, less those that are the server's fault (5xx). */
const SERVER_FAULTS = new Set(["internal", "unavailable", "canceled"]);
export const ALLOWED_CONNECT_CODES = new Set(
  Object.values(ERROR_WIRE)
    .map((w) => w.connect)
    .filter((c) => !SERVER_FAULTS.has(c)),
);
const ALLOWED_GRPC_CODES = new Set([0, ...[...ALLOWED_CONNECT_CODES].map((c) => codeFromString(c) as number)]);

/** The seed's message with one ciphertext field's bytes mutated; `changed` is false if they came out equal. */
function mutateCipher(r: Rng, seed: Seed): { init: Seed["init"]; how: string; changed: boolean } {
  const field = pick(r, seed.cipherFields ?? []);
  const original = Buffer.from((seed.init as Record<string, Uint8Array>)[field]!);
  const { bytes, how } = mutateBytes(r, original, original);
  return { init: { ...seed.init, [field]: bytes }, how: `cipher ${field}:${how}`, changed: !bytes.equals(original) };
}

function encode(protocol: Protocol, seed: Seed, init: Seed["init"]): Buffer {
  const msg = create(seed.method.input, init);
  const bytes =
    protocol === "connect-json"
      ? Buffer.from(toJsonString(seed.method.input, msg))
      : Buffer.from(toBinary(seed.method.input, msg));
  return bytes;
}

const isFramed = (protocol: Protocol) => protocol === "grpc" || protocol === "grpc-web";

/** The seed's request as it is, on `protocol`: what every mutation starts from. */
export function seedCase(protocol: Protocol, seed: Seed, authorization: string): FuzzCase {
  const message = encode(protocol, seed, seed.init);
  const headers: Record<string, string> = { "content-type": CONTENT_TYPES[protocol], authorization };
  if (protocol === "grpc") headers.te = "trailers";
  const path = `/${seed.method.parent.typeName}/${seed.method.name}`;
  const body = isFramed(protocol) ? grpcFrame(message) : message;
  return { protocol, seed, how: "none", path, headers, body, mustFail: false };
}

/**
 * One mutated case: a ciphertext field's bytes changed inside a well-formed message, bytes of
 * the whole framed body (gRPC, gRPC-Web), bytes of the encoded message, or (JSON) its structure.
 */
export function makeCase(r: Rng, protocol: Protocol, seed: Seed, donor: Seed, authorization: string): FuzzCase {
  const base = seedCase(protocol, seed, authorization);
  const frame = (b: Buffer) => (isFramed(protocol) ? grpcFrame(b) : b);
  const message = encode(protocol, seed, seed.init);
  const roll = r();
  if (seed.cipherFields && roll < 0.3) {
    const m = mutateCipher(r, seed);
    return { ...base, body: frame(encode(protocol, seed, m.init)), how: m.how, mustFail: m.changed };
  }
  if (protocol === "connect-json" && roll < 0.65) {
    const m = mutateJson(r, message.toString("utf8"));
    return { ...base, body: m.text, how: m.how, mustFail: protoKeyDepth(m.text) !== undefined };
  }
  const donorBytes = encode(protocol, donor, donor.init);
  if (isFramed(protocol) && roll < 0.45) {
    const m = mutateBytes(r, base.body as Buffer, donorBytes);
    return { ...base, body: m.bytes, how: `frame:${m.how}` };
  }
  const m = mutateBytes(r, message, donorBytes);
  return { ...base, body: frame(m.bytes), how: m.how };
}

/** Whether the call succeeded (status OK). */
export function succeeded(c: FuzzCase, res: RawResponse): boolean {
  return c.protocol === "grpc" || c.protocol === "grpc-web" ? grpcOutcome(res).code === 0 : res.status === 200;
}

/** The answer's code name, for the campaign's tally ("ok" on success). */
export function outcomeOf(c: FuzzCase, res: RawResponse): string {
  if (c.protocol === "grpc" || c.protocol === "grpc-web") {
    const code = grpcOutcome(res).code;
    return code === 0 ? "ok" : `grpc-${code}`;
  }
  return res.status === 200 ? "ok" : String(connectOutcome(res).code);
}

/** Why an answer breaks the contract, or undefined when it keeps it. */
export function judge(c: FuzzCase, res: RawResponse): string | undefined {
  if (res.status >= 500) return `HTTP ${res.status}`;
  let output: Uint8Array | string | undefined;
  if (c.protocol === "grpc" || c.protocol === "grpc-web") {
    const out = grpcOutcome(res);
    if (!ALLOWED_GRPC_CODES.has(out.code)) return `grpc-status ${out.code} (${out.reason})`;
    if (out.code !== 0) return undefined;
    output = out.message ?? new Uint8Array();
  } else {
    const out = connectOutcome(res);
    if (out.status !== 200) {
      return out.code !== undefined && ALLOWED_CONNECT_CODES.has(out.code as never) ? undefined : `code ${out.code}`;
    }
    output = c.protocol === "connect-json" ? res.body.toString("utf8") : res.body;
  }
  if (c.mustFail) return "a request that must be refused was accepted";
  return checkPlaintext(c.seed, output);
}

function checkPlaintext(seed: Seed, output: Uint8Array | string): string | undefined {
  if (seed.plaintext === undefined) return undefined;
  const schema = seed.method.output;
  const msg = typeof output === "string" ? fromJsonString(schema, output) : fromBinary(schema, output);
  const got = (msg as unknown as { plaintext: Uint8Array }).plaintext;
  return Buffer.from(got).equals(Buffer.from(seed.plaintext)) ? undefined : "wrong plaintext";
}

const WEIGHTED: readonly Protocol[] = ["grpc", "grpc", "grpc-web", "connect-proto", "connect-json", "connect-json"];

/** Picks a protocol and seed for case `i` (weights keep every protocol well represented). */
export function choose(r: Rng, seeds: readonly Seed[]): { protocol: Protocol; seed: Seed; donor: Seed } {
  return { protocol: pick(r, WEIGHTED), seed: seeds[int(r, seeds.length)]!, donor: pick(r, seeds) };
}
