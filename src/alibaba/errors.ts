import { create, toBinary } from "@bufbuild/protobuf";
import { type KmsCode, KmsError, toKmsError } from "../domain/errors.js";
import { ErrorSchema } from "../../gen/dkms_gcs/api_pb.js";

/** How an error reads on the Alibaba KMS-instance wire: HTTP status and `Error.ErrorCode`. */
export interface DkmsWireError {
  status: number;
  code: string;
}

/**
 * Every core code as the Alibaba KMS-instance API spells it, checked for completeness against the
 * closed code list (a new code is a row here, as in `ERROR_WIRE`). The API has fewer codes than
 * AWS: every refusal of a value, a key usage or a ciphertext is `InvalidParam` (a decryption
 * failure still says nothing about why), and the SDKs retry only `Rejected.Throttling`.
 * docs/alibaba-compatibility.md lists the same table.
 */
export const DKMS_ERROR_WIRE = {
  NotFound: { status: 404, code: "Forbidden.KeyNotFound" },
  AlreadyExists: { status: 400, code: "InvalidParam" },
  Disabled: { status: 409, code: "Rejected.Disabled" },
  InvalidState: { status: 409, code: "Rejected.PendingDeletion" },
  InvalidKeyUsage: { status: 400, code: "InvalidParam" },
  VersionRetired: { status: 400, code: "InvalidParam" },
  UnsupportedOperation: { status: 400, code: "InvalidParam" },
  InvalidCiphertext: { status: 400, code: "InvalidParam" },
  IncorrectKey: { status: 400, code: "InvalidParam" },
  InvalidSignature: { status: 400, code: "InvalidParam" },
  InvalidMac: { status: 400, code: "InvalidParam" },
  InvalidArgument: { status: 400, code: "InvalidParam" },
  InvalidGrantToken: { status: 400, code: "InvalidParam" },
  Throttled: { status: 429, code: "Rejected.Throttling" },
  LimitExceeded: { status: 429, code: "Rejected.Throttling" },
  Unauthenticated: { status: 401, code: "SignatureNotMatch" },
  IncompleteSignature: { status: 401, code: "SignatureNotMatch" },
  SignatureMismatch: { status: 401, code: "SignatureNotMatch" },
  AccessDenied: { status: 403, code: "Forbidden.NoPermission" },
  DependencyTimeout: { status: 503, code: "ServiceUnavailableTemporary" },
  Cancelled: { status: 400, code: "InvalidParam" },
  Internal: { status: 500, code: "InternalFailure" },
  IncorrectKeyMaterial: { status: 400, code: "InvalidParam" },
  ExpiredImportToken: { status: 400, code: "InvalidParam" },
  InvalidImportToken: { status: 400, code: "InvalidParam" },
  Tag: { status: 400, code: "InvalidParam" },
  DryRun: { status: 400, code: "InvalidParam" },
} as const satisfies Record<KmsCode, DkmsWireError>;

/** Codes that exist only on this wire: the request was refused before, or instead of, a core call. */
export type DkmsProtocolCode =
  | "InvalidApiName"
  | "InvalidApiVersion"
  | "MissingParameter"
  | "RequestTimeTooSkewed"
  | "InvalidContentType"
  | "RequestEntityTooLarge";

const PROTOCOL_STATUS = {
  InvalidApiName: 400,
  InvalidApiVersion: 400,
  MissingParameter: 400,
  RequestTimeTooSkewed: 400,
  InvalidContentType: 415,
  RequestEntityTooLarge: 413,
} as const satisfies Record<DkmsProtocolCode, number>;

/**
 * A refusal the KMS-instance protocol names more precisely than the closed code list. In core's
 * terms it is still `InvalidArgument` (so the pipeline, the audit trail and metrics count it as
 * such); only this wire spells it with the protocol's own code and status.
 */
export class DkmsProtocolError extends KmsError {
  constructor(
    readonly dkmsCode: DkmsProtocolCode,
    message: string,
  ) {
    super("InvalidArgument", message);
  }
}

/** A required request field that is empty (proto3 cannot tell absent from empty). */
export function missingParameter(field: string): DkmsProtocolError {
  return new DkmsProtocolError("MissingParameter", `${field} is required.`);
}

/** The wire form of anything thrown; unknown errors become `InternalFailure` with core's fixed message. */
export function dkmsErrorOf(err: unknown): DkmsWireError & { message: string } {
  if (err instanceof DkmsProtocolError) {
    return { status: PROTOCOL_STATUS[err.dkmsCode], code: err.dkmsCode, message: err.message };
  }
  const kms = toKmsError(err);
  return { ...DKMS_ERROR_WIRE[kms.code], message: kms.message };
}

/** The protobuf `Error` body every 4xx/5xx response carries. */
export function errorBody(e: DkmsWireError & { message: string }, requestId: string): Uint8Array {
  return toBinary(
    ErrorSchema,
    create(ErrorSchema, { StatusCode: e.status, ErrorCode: e.code, ErrorMessage: e.message, RequestId: requestId }),
  );
}
