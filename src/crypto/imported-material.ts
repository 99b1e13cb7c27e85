import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { KmsError } from "../domain/errors.js";
import { type KeySpec, specRow } from "../domain/specs.js";
import type { KeyMaterial } from "./key-material.js";

/**
 * The longest imported HMAC key: the hash's block (64 bytes for SHA-224/256, 128 for SHA-384/512);
 * a longer key would be hashed first (RFC 2104 §2). AWS accepts the same ranges.
 */
const hmacMaxBytes = (keyBytes: number) => (keyBytes <= 32 ? 64 : 128);

/**
 * Checks imported material against a key's spec and brings it into the form generated material
 * has (`key-material.ts`): an AES-256 key is exactly 32 bytes; an HMAC key from its hash's length
 * to its block size (HMAC_224 28..64, HMAC_256 32..64, HMAC_384 48..128, HMAC_512 64..128: AWS's
 * ranges); an RSA, EC, Ed25519, ML-DSA or ML-KEM key a PKCS#8 DER private key of the spec's
 * modulus, curve or parameter set, stored re-encoded, with its SPKI public key beside it. Anything
 * else is `IncorrectKeyMaterial`, with a message that names the spec but never the material.
 */
export function importedMaterial(spec: KeySpec, material: Buffer): KeyMaterial {
  const generation = specRow(spec).generate;
  const wrong = () => new KmsError("IncorrectKeyMaterial", `The imported key material does not fit key spec ${spec}.`);
  if (generation.kind === "random") {
    const max = specRow(spec).family === "HMAC" ? hmacMaxBytes(generation.bytes) : generation.bytes;
    if (material.length < generation.bytes || material.length > max) throw wrong();
    return { secret: Buffer.from(material), publicKey: null };
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({ key: material, format: "der", type: "pkcs8" });
  } catch {
    throw wrong();
  }
  const details = key.asymmetricKeyDetails ?? {};
  const fits =
    generation.kind === "rsa"
      ? key.asymmetricKeyType === "rsa" && details.modulusLength === generation.modulusBits
      : generation.kind === "ec"
        ? key.asymmetricKeyType === "ec" && details.namedCurve === generation.namedCurve
        : generation.kind === "ed25519"
          ? key.asymmetricKeyType === "ed25519"
          : (key.asymmetricKeyType as string | undefined) === generation.keyType;
  if (!fits) throw wrong();
  return {
    secret: key.export({ format: "der", type: "pkcs8" }),
    publicKey: createPublicKey(key).export({ format: "der", type: "spki" }),
  };
}

/**
 * The digest that identifies imported material of one key version after the material itself is
 * gone (deleted or expired): SHA-256 over the ids and the material, each length-prefixed. It
 * reveals nothing usable about a 256-bit or larger secret.
 */
export function materialDigest(keyId: string, versionId: string, secret: Buffer): Buffer {
  const hash = createHash("sha256");
  for (const part of [Buffer.from("kms/v1 imported material"), Buffer.from(keyId), Buffer.from(versionId), secret]) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(part.length);
    hash.update(length).update(part);
  }
  return hash.digest();
}
