import type { SignatureV4 } from "@smithy/signature-v4";
import { ERROR_WIRE } from "../../../src/domain/errors.js";
import type { RawResponse } from "../../helpers/raw-h2.js";
import { mutateBytes, mutateJson, protoKeyDepth, type Rng } from "./mutate.js";

/** A valid AWS JSON 1.1 request to mutate. */
export interface AwsSeed {
  operation: string;
  body: Record<string, unknown>;
  /** What a successful `Decrypt` must answer. */
  plaintext?: Buffer | undefined;
}

export interface AwsCase {
  seed: AwsSeed;
  how: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Any success is a failure (a changed ciphertext, or a `__proto__` map key). */
  mustFail: boolean;
}

/** AWS error types the endpoint documents, less the server's own faults (5xx). */
const ALLOWED_AWS_TYPES = new Set([
  ...Object.values(ERROR_WIRE)
    .filter((w) => w.awsStatus < 500)
    .map((w) => w.aws),
  "SerializationException",
  "UnknownOperationException",
]);

/**
 * Mutates an AWS request's JSON body (the ciphertext's bytes, the text's bytes, or its structure)
 * and then signs it, so the mutation reaches the JSON reader and core rather than stopping at
 * SigV4. Sent over HTTP/2, where `:authority` stands for the signed `host`.
 */
export async function makeAwsCase(
  r: Rng,
  seed: AwsSeed,
  donor: AwsSeed,
  signer: SignatureV4,
  host: string,
  mutate = true,
): Promise<AwsCase> {
  const text = JSON.stringify(seed.body);
  const roll = r();
  let body: Buffer;
  let how: string;
  let mustFail = false;
  if (!mutate) {
    body = Buffer.from(text);
    how = "none";
  } else if (typeof seed.body.CiphertextBlob === "string" && roll < 0.3) {
    const original = Buffer.from(seed.body.CiphertextBlob, "base64");
    const m = mutateBytes(r, original, original);
    body = Buffer.from(JSON.stringify({ ...seed.body, CiphertextBlob: m.bytes.toString("base64") }));
    how = `cipher:${m.how}`;
    mustFail = !m.bytes.equals(original);
  } else if (roll < 0.65) {
    const m = mutateJson(r, text);
    body = Buffer.from(m.text);
    how = m.how;
    mustFail = contextHasProtoKey(m.text);
  } else {
    ({ bytes: body, how } = mutateBytes(r, Buffer.from(text), Buffer.from(JSON.stringify(donor.body))));
  }
  const [hostname, port] = host.split(":");
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: hostname!,
    port: Number(port),
    path: "/",
    query: {},
    headers: {
      host,
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `TrentService.${seed.operation}`,
    },
    body,
  });
  const { host: _host, ...headers } = signed.headers;
  return { seed, how, headers, body, mustFail };
}

/** The answer's `__type`, for the campaign's tally ("ok" on success). */
export function awsOutcomeOf(res: RawResponse): string {
  if (res.status === 200) return "ok";
  try {
    return String(JSON.parse(res.body.toString("utf8")).__type);
  } catch {
    return `HTTP ${res.status}`;
  }
}

/** AWS ignores unknown members, but a `__proto__` key in `EncryptionContext` must be refused. */
function contextHasProtoKey(text: string): boolean {
  if (protoKeyDepth(text) === undefined) return false;
  const context = (JSON.parse(text) as { EncryptionContext?: unknown }).EncryptionContext;
  return typeof context === "object" && context !== null && Object.hasOwn(context, "__proto__");
}

export function judgeAws(c: AwsCase, res: RawResponse): string | undefined {
  if (res.status >= 500) return `HTTP ${res.status}`;
  let parsed: { __type?: string; Plaintext?: string };
  try {
    parsed = JSON.parse(res.body.toString("utf8"));
  } catch {
    return "a body that is not JSON";
  }
  if (res.status !== 200) {
    return ALLOWED_AWS_TYPES.has(parsed.__type ?? "") ? undefined : `__type ${parsed.__type}`;
  }
  if (c.mustFail) return "a request that must be refused was accepted";
  if (c.seed.plaintext === undefined) return undefined;
  return Buffer.from(parsed.Plaintext ?? "", "base64").equals(c.seed.plaintext) ? undefined : "wrong plaintext";
}
