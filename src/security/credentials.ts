import { hash, randomBytes, timingSafeEqual } from "node:crypto";

/** A source of random bytes; production uses `node:crypto`'s CSPRNG, tests may inject a fake. */
export type RandomBytes = (size: number) => Buffer;

const BEARER_PREFIX = "kms_";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * A new bearer token: `kms_` + base64url of 32 random bytes (256 bits). The prefix lets secret
 * scanners and log scrubbers recognise a leaked token; the entropy makes guessing hopeless.
 */
export function newBearerToken(random: RandomBytes = randomBytes): string {
  return BEARER_PREFIX + random(32).toString("base64url");
}

/**
 * The stored form of a bearer or grant token: hex SHA-256 of its UTF-8 bytes.
 *
 * A fast, unsalted hash is right here, unlike for passwords: our tokens carry 256 random bits,
 * so neither a dictionary nor brute force over the hash can find one, and salting would only stop
 * us looking a principal up by hash (an indexed, unique column). A slow KDF would add latency to
 * every request and protect nothing more.
 */
export function hashToken(token: string): string {
  return hash("sha256", token, "hex");
}

/** Encodes bytes in RFC 4648 base32 (no padding). 10 bytes give exactly 16 characters. */
function base32(bytes: Buffer): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** A SigV4 credential pair in AWS's shapes, so SDKs and the CLI accept it unchanged. */
export interface AccessKeyPair {
  /** `AKIA` + 16 characters of `[A-Z2-7]` (80 random bits): not secret, it names the principal. */
  accessKeyId: string;
  /** 40 characters of base64 (240 random bits), the AWS secret access key length. */
  secretAccessKey: string;
}

/**
 * A new access key pair. The id looks like an AWS long-term key id so that tooling which checks
 * the prefix or length accepts it; the secret must be stored only wrapped under the root key.
 */
export function newAccessKeyPair(random: RandomBytes = randomBytes): AccessKeyPair {
  return {
    accessKeyId: `AKIA${base32(random(10))}`,
    secretAccessKey: random(30).toString("base64"),
  };
}

/**
 * Compares two secrets without leaking through timing where they differ or how long they are.
 * Both sides are hashed first, so `timingSafeEqual` always sees two 32-byte digests (it throws on
 * unequal lengths, and an early length check would reveal the secret's length). Equal digests mean
 * equal strings, as SHA-256 is collision resistant.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = hash("sha256", a, "buffer");
  const db = hash("sha256", b, "buffer");
  return timingSafeEqual(da, db);
}
