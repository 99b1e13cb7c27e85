import { generateRandom as coreGenerateRandom } from "../../core/random.js";
import { getPublicKey as coreGetPublicKey } from "../../core/signing.js";
import { encodePublicKey } from "../../crypto/key-pairs.js";
import {
  GenerateRandomRequestSchema,
  GenerateRandomResponseSchema,
  GetPublicKeyRequestSchema,
  GetPublicKeyResponseSchema,
} from "../../../gen/dkms_gcs/api_pb.js";
import { missingParameter } from "../errors.js";
import { required } from "./fields.js";
import { operation } from "./operation.js";

/** `GetPublicKey`: the SubjectPublicKeyInfo as PEM text, as the API returns it. */
export const getPublicKey = operation(
  GetPublicKeyRequestSchema,
  GetPublicKeyResponseSchema,
  async (req, { deps, call }) => {
    const out = await coreGetPublicKey(deps, call, required("KeyId", req.KeyId));
    return {
      KeyId: out.keyId,
      PublicKey: encodePublicKey(out.publicKey, "PEM").toString("utf8"),
      RequestId: call.requestId,
    };
  },
);

/** `GenerateRandom`: `Length` (required) 1..1024 bytes from the service's CSPRNG. */
export const generateRandom = operation(
  GenerateRandomRequestSchema,
  GenerateRandomResponseSchema,
  async (req, { deps, call }) => {
    if (req.Length === 0) throw missingParameter("Length");
    return { Random: coreGenerateRandom(deps, req.Length), RequestId: call.requestId };
  },
);
