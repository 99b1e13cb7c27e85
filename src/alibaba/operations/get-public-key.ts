import { createPublicKey } from "node:crypto";
import { getPublicKey as coreGetPublicKey } from "../../core/crypto-ops/signing.js";
import { GetPublicKeyRequestSchema, GetPublicKeyResponseSchema } from "../../../gen/dkms_gcs/api_pb.js";
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
      PublicKey: createPublicKey({ key: out.publicKey, format: "der", type: "spki" })
        .export({ type: "spki", format: "pem" })
        .toString(),
      RequestId: call.requestId,
    };
  },
);
