import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { AnySchema, anyPack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { ERROR_WIRE, type KmsError, toKmsError } from "../domain/errors.js";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { connectCode, ERROR_DOMAIN } from "../api/connect-errors.js";

/**
 * `google.rpc.Status` (https://github.com/googleapis/googleapis/blob/master/google/rpc/status.proto:
 * `int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3;`), written field by
 * field: its three fields are stable and it is the only message of that file sent here.
 */
function encodeRpcStatus(code: number, message: string, details: Uint8Array[]): Buffer {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.Varint).int32(code);
  writer.tag(2, WireType.LengthDelimited).string(message);
  for (const detail of details) writer.tag(3, WireType.LengthDelimited).bytes(detail);
  return Buffer.from(writer.finish());
}

/**
 * A failure as grpc-js sends it: the same status code, message and `grpc-status-details-bin`
 * (a `google.rpc.Status` with one `google.rpc.ErrorInfo` whose `reason` is the AWS name) that the
 * Connect stack sends for the same KmsError (`src/api/connect-errors.ts`), so clients cannot tell
 * the stacks apart by their errors. gRPC status numbers are Connect's code numbers.
 */
export function toGrpcStatus(thrown: unknown): Pick<grpc.StatusObject, "code" | "details" | "metadata"> {
  const err: KmsError = toKmsError(thrown);
  const code = connectCode(err);
  const info = create(ErrorInfoSchema, { reason: ERROR_WIRE[err.code].reason, domain: ERROR_DOMAIN });
  const metadata = new grpc.Metadata();
  metadata.set(
    "grpc-status-details-bin",
    encodeRpcStatus(code, err.message, [toBinary(AnySchema, anyPack(ErrorInfoSchema, info))]),
  );
  return { code: code as number as grpc.status, details: err.message, metadata };
}
