import { ERROR_WIRE, KmsError, toKmsError } from "../domain/errors.js";

/** `__type` names that exist only on the AWS wire: the request never became a core call. */
export type AwsProtocolType = "SerializationException" | "UnknownOperationException";

/**
 * A request AWS's JSON 1.1 protocol refuses before any operation sees it: a body that is not a
 * JSON object, a member of the wrong JSON type, a blob that is not base64. In the closed code list
 * this is still `InvalidArgument` (so the pipeline keeps it and metrics count it as such); only
 * the AWS wire spells it with AWS's more specific `__type`, as the AWS SDKs expect.
 */
export class AwsProtocolError extends KmsError {
  constructor(
    readonly awsType: AwsProtocolType,
    message: string,
  ) {
    super("InvalidArgument", message);
  }
}

/** What an AWS error response carries. */
export interface AwsErrorReply {
  status: number;
  type: string;
  message: string;
}

/**
 * Maps anything thrown to the AWS error reply through the one table, `ERROR_WIRE`. Unknown
 * errors become `KMSInternalException` with the fixed message (the pipeline has logged the cause);
 * validation errors use their AWS-worded message when core gave one.
 */
export function awsErrorOf(err: unknown): AwsErrorReply {
  if (err instanceof AwsProtocolError) return { status: 400, type: err.awsType, message: err.message };
  const kms = toKmsError(err);
  const wire = ERROR_WIRE[kms.code];
  return { status: wire.awsStatus, type: wire.aws, message: kms.awsMessage ?? kms.message };
}

/** A member of the wrong JSON type, worded like AWS's deserializer. */
export function serializationError(member: string, expected: string): AwsProtocolError {
  return new AwsProtocolError("SerializationException", `Member '${member}' must be ${expected}.`);
}
