import { Code } from "@connectrpc/connect";
import { type KmsClientError, toKmsClientError } from "../../src/client/browser.js";
import { FormatError } from "./format.js";
import { validationHint } from "./validation-hints.js";

/**
 * What a person reads when a call fails, keyed by the ErrorInfo `reason` the service sends
 * (docs/errors.md). Branching on the reason, never on the message, keeps these stable when the
 * service rewords its messages.
 */
export const REASON_MESSAGES: Record<string, string> = {
  UnrecognizedClientException: "Your token was not accepted. Sign in again.",
  AccessDeniedException: "You are not allowed to do that with this key.",
  "Rejected.Throttling": "The service is busy generating key pairs. Try again in a moment.",
  DisabledException: "This key is disabled. Enable it before using it.",
  KMSInvalidStateException: "This key cannot do that in its current state (it may be pending deletion).",
  NotFoundException: "That key or alias does not exist.",
  AlreadyExistsException: "That alias name is already taken. Choose another name or update the alias.",
  InvalidCiphertextException:
    "That ciphertext could not be decrypted. Check that it was copied completely and that the encryption context is the same as when it was encrypted.",
  IncorrectKeyException: "That ciphertext was not encrypted under this key.",
  InvalidKeyUsageException: "This key cannot be used for that. Check its key type and usage.",
  UnsupportedOperationException: "This key does not support that. Only symmetric (AES) keys can be rotated.",
  InvalidGrantTokenException: "A grant token is not valid.",
  LimitExceededException: "A limit was reached. Remove something before adding more.",
  DependencyTimeoutException: "The service's database is slow to answer. Try again in a moment.",
  RequestCanceledException: "The request was cancelled before it finished. Try again.",
  KMSInternalException: "Something went wrong inside the service. Try again; if it keeps happening, tell its operator.",
};

/**
 * The sentence for a failure, ending with the call's request id when the service sent one, so an
 * operator can find the call in the logs and the audit trail. Validation errors say what to type
 * instead (`validation-hints.ts`).
 */
export function describeError(err: unknown): string {
  if (err instanceof FormatError) return err.message;
  const e = toKmsClientError(err);
  const text = sentenceFor(e);
  return e.requestId ? `${text} (Request id: ${e.requestId})` : text;
}

function sentenceFor(e: KmsClientError): string {
  if (e.reason === "ValidationException") return `Check what you entered: ${validationHint(e.message)}`;
  const known = e.reason === undefined ? undefined : REASON_MESSAGES[e.reason];
  if (known) return known;
  return byCode(e);
}

function byCode(e: KmsClientError): string {
  switch (e.code) {
    case Code.Unauthenticated:
      return REASON_MESSAGES.UnrecognizedClientException!;
    case Code.PermissionDenied:
      return REASON_MESSAGES.AccessDeniedException!;
    case Code.DeadlineExceeded:
      return "The service took too long to answer. Try again.";
    case Code.Unavailable:
    case Code.Unknown:
      return "The service cannot be reached. Check your connection and try again.";
    default:
      return "Something went wrong. Try again; if it keeps happening, tell the service's operator.";
  }
}

/** Whether the failure means the token is no longer good, so the console should sign out. */
export function isSignedOut(err: unknown): boolean {
  if (err instanceof FormatError) return false;
  return toKmsClientError(err).code === Code.Unauthenticated;
}

/** Whether the call never got an answer from the service (network down, refused by CORS or CSP). */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof FormatError) return false;
  const code = toKmsClientError(err).code;
  return code === Code.Unavailable || code === Code.Unknown;
}
