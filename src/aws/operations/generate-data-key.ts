import { generateDataKey as coreGenerateDataKey } from "../../core/data-keys/data-keys.js";
import { keyArn } from "../../core/keys/key-id.js";
import { AWS_DATA_KEY_SPECS, fromAws } from "../enums.js";
import { type JsonObject, type Members, refuseUnsupported } from "../json.js";
import type { Operation, OperationContext } from "./operation.js";

/**
 * The body shared by `GenerateDataKey` and `GenerateDataKeyWithoutPlaintext` (the AWS seed): a
 * random data key of `KeySpec` (AES_256 → 32 bytes, AES_128 → 16) or `NumberOfBytes` (1..1024) —
 * exactly one — sealed under the key's primary version in a self-describing blob. Only with
 * plaintext does the data key leave the service; either way it is zeroed after the reply is built.
 */
export function dataKeyOperation(m: Members, withPlaintext: boolean): (ctx: OperationContext) => Promise<JsonObject> {
  if (withPlaintext) refuseUnsupported(m, ["Recipient"]);
  const keyId = m.requiredString("KeyId");
  const keySpec = fromAws(AWS_DATA_KEY_SPECS, "KeySpec", m.string("KeySpec"));
  const numberOfBytes = m.integer("NumberOfBytes");
  const context = m.stringMap("EncryptionContext");
  const grantTokens = m.stringList("GrantTokens");
  return async ({ deps, call }) => {
    const out = await coreGenerateDataKey(
      deps,
      call,
      { keyRef: keyId, keySpec, numberOfBytes, aad: new Uint8Array(0), context, grantTokens },
      withPlaintext,
    );
    try {
      return {
        CiphertextBlob: out.ciphertextBlob.toString("base64"),
        ...(out.plaintext ? { Plaintext: out.plaintext.toString("base64") } : {}),
        KeyId: keyArn(deps, out.keyId),
      };
    } finally {
      out.plaintext?.fill(0);
    }
  };
}

/** `GenerateDataKey`: plaintext and encrypted copy of a new data key. */
export const generateDataKey: Operation = (m) => dataKeyOperation(m, true);
