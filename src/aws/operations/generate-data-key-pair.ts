import { generateDataKeyPair as corePair } from "../../core/data-keys/data-keys.js";
import { keyArn } from "../../core/keys/key-id.js";
import { AWS_PAIR_SPECS, awsPairSpec, fromAws } from "../enums.js";
import { type JsonObject, type Members, missing, refuseUnsupported } from "../json.js";
import type { Operation, OperationContext } from "./operation.js";

/**
 * The body shared by `GenerateDataKeyPair` and its WithoutPlaintext twin. AWS's pair operations
 * are core's *advance* mode: the private key is sealed under the primary version in a
 * self-describing blob that AWS `Decrypt` opens with no `KeyId`. AWS returns DER: `PublicKey` is
 * SubjectPublicKeyInfo and `PrivateKeyPlaintext` PKCS#8, each base64 in JSON. The per-instance
 * key-pair gate applies (a full gate is `ThrottlingException`).
 */
export function pairOperation(m: Members, withPlaintext: boolean): (ctx: OperationContext) => Promise<JsonObject> {
  if (withPlaintext) refuseUnsupported(m, ["Recipient"]);
  const keyId = m.requiredString("KeyId");
  const specName = m.string("KeyPairSpec");
  if (specName === undefined) throw missing("KeyPairSpec");
  const pairSpec = fromAws(AWS_PAIR_SPECS, "KeyPairSpec", specName);
  const context = m.stringMap("EncryptionContext");
  const grantTokens = m.stringList("GrantTokens");
  return async ({ deps, call }) => {
    const out = await corePair(
      deps,
      call,
      { keyRef: keyId, pairSpec, format: "DER", aad: new Uint8Array(0), context, grantTokens },
      { advance: true, withPlaintext },
    );
    try {
      return {
        PrivateKeyCiphertextBlob: out.privateKeyCiphertextBlob.toString("base64"),
        ...(out.privateKeyPlaintext ? { PrivateKeyPlaintext: out.privateKeyPlaintext.toString("base64") } : {}),
        PublicKey: out.publicKey.toString("base64"),
        KeyId: keyArn(deps, out.keyId),
        KeyPairSpec: awsPairSpec(out.pairSpec),
      };
    } finally {
      out.privateKeyPlaintext?.fill(0);
    }
  };
}

/** `GenerateDataKeyPair`: public key, private key in plaintext and sealed. */
export const generateDataKeyPair: Operation = (m) => pairOperation(m, true);
