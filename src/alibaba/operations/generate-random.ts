import { generateRandom as coreGenerateRandom } from "../../core/crypto-ops/random.js";
import { GenerateRandomRequestSchema, GenerateRandomResponseSchema } from "../../../gen/dkms_gcs/api_pb.js";
import { missingParameter } from "../errors.js";
import { operation } from "./operation.js";

/** `GenerateRandom`: `Length` (required) 1..1024 bytes from the service's CSPRNG. */
export const generateRandom = operation(
  GenerateRandomRequestSchema,
  GenerateRandomResponseSchema,
  async (req, { deps, call }) => {
    if (req.Length === 0) throw missingParameter("Length");
    return { Random: coreGenerateRandom(deps, req.Length), RequestId: call.requestId };
  },
);
