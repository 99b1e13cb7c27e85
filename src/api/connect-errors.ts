import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ERROR_WIRE, type KmsError, type WireCode } from "../domain/errors.js";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";

const CODES = {
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  invalid_argument: Code.InvalidArgument,
  resource_exhausted: Code.ResourceExhausted,
  unauthenticated: Code.Unauthenticated,
  permission_denied: Code.PermissionDenied,
  unavailable: Code.Unavailable,
  canceled: Code.Canceled,
  internal: Code.Internal,
} as const satisfies Record<WireCode, Code>;

/** The `google.rpc.ErrorInfo` domain of every error this service sends. */
export const ERROR_DOMAIN = "kms.v1";

/**
 * A KmsError as Connect/gRPC sends it: the mapped code, the message, and a
 * `google.rpc.ErrorInfo` whose `reason` is the AWS exception name (or `Rejected.Throttling`), so
 * typed clients branch on the reason rather than on message text.
 */
export function toConnectError(err: KmsError): ConnectError {
  const wire = ERROR_WIRE[err.code];
  return new ConnectError(err.message, CODES[wire.connect], undefined, [
    { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: wire.reason, domain: ERROR_DOMAIN }) },
  ]);
}

/** Connect code for a KmsError code (used by tests and the HTTP status mapping). */
export function connectCode(err: KmsError): Code {
  return CODES[ERROR_WIRE[err.code].connect];
}
