/**
 * The one error model. Core throws only `KmsError` with a code from this closed list
 * (as connect-es has "no user-defined codes"); each transport translates the code at its edge
 * through {@link ERROR_WIRE}. Never choose a code from message text.
 *
 * Messages are shown to callers: they must never contain plaintext, key material, contexts'
 * values or the reason a decryption failed.
 */
export const KMS_CODES = [
  "NotFound",
  "AlreadyExists",
  "Disabled",
  "InvalidState",
  "InvalidKeyUsage",
  "VersionRetired",
  "UnsupportedOperation",
  "InvalidCiphertext",
  "IncorrectKey",
  "InvalidSignature",
  "InvalidMac",
  "InvalidArgument",
  "InvalidGrantToken",
  "Throttled",
  "LimitExceeded",
  "Unauthenticated",
  "IncompleteSignature",
  "SignatureMismatch",
  "AccessDenied",
  "DependencyTimeout",
  "Cancelled",
  "Internal",
  "IncorrectKeyMaterial",
  "ExpiredImportToken",
  "InvalidImportToken",
  "Tag",
  "DryRun",
] as const;

export type KmsCode = (typeof KMS_CODES)[number];

/** Connect code names (as in `@connectrpc/connect`'s `Code`, lower snake case). */
export type WireCode =
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "invalid_argument"
  | "resource_exhausted"
  | "unauthenticated"
  | "permission_denied"
  | "unavailable"
  | "canceled"
  | "internal";

/** How one code appears on each wire. */
export interface WireError {
  /** Connect / gRPC status code. */
  connect: WireCode;
  /** The `google.rpc.ErrorInfo` reason on Connect/gRPC: the AWS name, or the seed's `Rejected.Throttling`. */
  reason: string;
  /** The AWS `__type`. */
  aws: string;
  /** HTTP status on the AWS JSON endpoint. */
  awsStatus: number;
}

/**
 * The single mapping table from codes to wires. `Throttled` carries the Alibaba seed's reason
 * `Rejected.Throttling` (HTTP 429 over Connect JSON comes from `resource_exhausted`).
 */
export const ERROR_WIRE = {
  NotFound: { connect: "not_found", reason: "NotFoundException", aws: "NotFoundException", awsStatus: 400 },
  AlreadyExists: {
    connect: "already_exists",
    reason: "AlreadyExistsException",
    aws: "AlreadyExistsException",
    awsStatus: 400,
  },
  Disabled: { connect: "failed_precondition", reason: "DisabledException", aws: "DisabledException", awsStatus: 400 },
  InvalidState: {
    connect: "failed_precondition",
    reason: "KMSInvalidStateException",
    aws: "KMSInvalidStateException",
    awsStatus: 400,
  },
  InvalidKeyUsage: {
    connect: "failed_precondition",
    reason: "InvalidKeyUsageException",
    aws: "InvalidKeyUsageException",
    awsStatus: 400,
  },
  VersionRetired: {
    connect: "failed_precondition",
    reason: "KeyVersionRetiredException",
    aws: "KMSInvalidStateException",
    awsStatus: 400,
  },
  UnsupportedOperation: {
    connect: "failed_precondition",
    reason: "UnsupportedOperationException",
    aws: "UnsupportedOperationException",
    awsStatus: 400,
  },
  InvalidCiphertext: {
    connect: "invalid_argument",
    reason: "InvalidCiphertextException",
    aws: "InvalidCiphertextException",
    awsStatus: 400,
  },
  IncorrectKey: {
    connect: "invalid_argument",
    reason: "IncorrectKeyException",
    aws: "IncorrectKeyException",
    awsStatus: 400,
  },
  InvalidSignature: {
    connect: "invalid_argument",
    reason: "KMSInvalidSignatureException",
    aws: "KMSInvalidSignatureException",
    awsStatus: 400,
  },
  InvalidMac: {
    connect: "invalid_argument",
    reason: "KMSInvalidMacException",
    aws: "KMSInvalidMacException",
    awsStatus: 400,
  },
  InvalidArgument: {
    connect: "invalid_argument",
    reason: "ValidationException",
    aws: "ValidationException",
    awsStatus: 400,
  },
  InvalidGrantToken: {
    connect: "invalid_argument",
    reason: "InvalidGrantTokenException",
    aws: "InvalidGrantTokenException",
    awsStatus: 400,
  },
  Throttled: {
    connect: "resource_exhausted",
    reason: "Rejected.Throttling",
    aws: "ThrottlingException",
    awsStatus: 400,
  },
  LimitExceeded: {
    connect: "resource_exhausted",
    reason: "LimitExceededException",
    aws: "LimitExceededException",
    awsStatus: 400,
  },
  Unauthenticated: {
    connect: "unauthenticated",
    reason: "UnrecognizedClientException",
    aws: "UnrecognizedClientException",
    awsStatus: 400,
  },
  IncompleteSignature: {
    connect: "unauthenticated",
    reason: "IncompleteSignatureException",
    aws: "IncompleteSignatureException",
    awsStatus: 400,
  },
  SignatureMismatch: {
    connect: "unauthenticated",
    reason: "InvalidSignatureException",
    aws: "InvalidSignatureException",
    awsStatus: 400,
  },
  AccessDenied: {
    connect: "permission_denied",
    reason: "AccessDeniedException",
    aws: "AccessDeniedException",
    awsStatus: 400,
  },
  DependencyTimeout: {
    connect: "unavailable",
    reason: "DependencyTimeoutException",
    aws: "DependencyTimeoutException",
    awsStatus: 503,
  },
  Cancelled: {
    connect: "canceled",
    reason: "RequestCanceledException",
    aws: "RequestCanceledException",
    awsStatus: 400,
  },
  Internal: { connect: "internal", reason: "KMSInternalException", aws: "KMSInternalException", awsStatus: 500 },
  IncorrectKeyMaterial: {
    connect: "invalid_argument",
    reason: "IncorrectKeyMaterialException",
    aws: "IncorrectKeyMaterialException",
    awsStatus: 400,
  },
  ExpiredImportToken: {
    connect: "invalid_argument",
    reason: "ExpiredImportTokenException",
    aws: "ExpiredImportTokenException",
    awsStatus: 400,
  },
  InvalidImportToken: {
    connect: "invalid_argument",
    reason: "InvalidImportTokenException",
    aws: "InvalidImportTokenException",
    awsStatus: 400,
  },
  Tag: { connect: "invalid_argument", reason: "TagException", aws: "TagException", awsStatus: 400 },
  DryRun: {
    connect: "failed_precondition",
    reason: "DryRunOperationException",
    aws: "DryRunOperationException",
    awsStatus: 400,
  },
} as const satisfies Record<KmsCode, WireError>;

/** The seed's fixed message for a refused pair request. */
export const THROTTLED_MESSAGE = "Concurrency Limit Exceeded.";

/** The fixed message of every unexpected failure; the cause goes to the log only. */
export const INTERNAL_MESSAGE = "An internal error occurred.";

/** The fixed message of every failed decryption: it must not say which check failed. */
export const INVALID_CIPHERTEXT_MESSAGE =
  "The ciphertext, additional authenticated data or encryption context is invalid.";

/** A failure with a code from the closed list and a message safe to show to the caller. */
export class KmsError extends Error {
  override readonly name = "KmsError";
  constructor(
    readonly code: KmsCode,
    message: string,
    /** For AWS validation errors: the AWS-worded message, when it differs. */
    readonly awsMessage?: string,
  ) {
    super(message);
  }
}

/** Turns anything thrown into a KmsError; unknown errors become `Internal` with a fixed message. */
export function toKmsError(err: unknown): KmsError {
  return err instanceof KmsError ? err : new KmsError("Internal", INTERNAL_MESSAGE);
}

/** The error every decryption failure becomes, whatever went wrong. */
export function invalidCiphertext(): KmsError {
  return new KmsError("InvalidCiphertext", INVALID_CIPHERTEXT_MESSAGE);
}
