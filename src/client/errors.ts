import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";

/**
 * A failed call as client code wants it: the Connect/gRPC code, and the `reason` the service puts
 * in its `google.rpc.ErrorInfo` (the AWS exception name, e.g. `NotFoundException`, or
 * `Rejected.Throttling`). Branch on `reason`, never on the message.
 */
export class KmsClientError extends Error {
  override readonly name = "KmsClientError";
  constructor(
    readonly code: Code,
    readonly reason: string | undefined,
    message: string,
    override readonly cause?: unknown,
    /** The service's `x-request-id` for the call, when the answer carried one: quote it to the operator. */
    readonly requestId?: string,
  ) {
    super(message);
  }

  /** `code` as Connect spells it (`not_found`, `resource_exhausted`, …). */
  get codeName(): string {
    return Code[this.code].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  }
}

/** The ErrorInfo reason of a ConnectError, if it carries one. */
export function reasonOf(err: ConnectError): string | undefined {
  return err.findDetails(ErrorInfoSchema)[0]?.reason;
}

/** Turns anything a call threw into a {@link KmsClientError}. */
export function toKmsClientError(err: unknown): KmsClientError {
  if (err instanceof KmsClientError) return err;
  const ce = ConnectError.from(err);
  const requestId = ce.metadata.get("x-request-id") ?? undefined;
  return new KmsClientError(ce.code, reasonOf(ce), ce.rawMessage, err, requestId);
}
