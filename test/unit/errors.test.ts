import { readFileSync } from "node:fs";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { connectCode, toConnectError } from "../../src/api/connect-errors.js";
import { ERROR_WIRE, INTERNAL_MESSAGE, KMS_CODES, KmsError, toKmsError } from "../../src/domain/errors.js";

/** The wire each code must reach, written out independently of the table in src/domain/errors.ts. */
const EXPECTED: Record<string, [Code, string, string, number]> = {
  NotFound: [Code.NotFound, "NotFoundException", "NotFoundException", 400],
  AlreadyExists: [Code.AlreadyExists, "AlreadyExistsException", "AlreadyExistsException", 400],
  Disabled: [Code.FailedPrecondition, "DisabledException", "DisabledException", 400],
  InvalidState: [Code.FailedPrecondition, "KMSInvalidStateException", "KMSInvalidStateException", 400],
  InvalidKeyUsage: [Code.FailedPrecondition, "InvalidKeyUsageException", "InvalidKeyUsageException", 400],
  VersionRetired: [Code.FailedPrecondition, "KeyVersionRetiredException", "KMSInvalidStateException", 400],
  UnsupportedOperation: [
    Code.FailedPrecondition,
    "UnsupportedOperationException",
    "UnsupportedOperationException",
    400,
  ],
  InvalidCiphertext: [Code.InvalidArgument, "InvalidCiphertextException", "InvalidCiphertextException", 400],
  IncorrectKey: [Code.InvalidArgument, "IncorrectKeyException", "IncorrectKeyException", 400],
  InvalidSignature: [Code.InvalidArgument, "KMSInvalidSignatureException", "KMSInvalidSignatureException", 400],
  InvalidMac: [Code.InvalidArgument, "KMSInvalidMacException", "KMSInvalidMacException", 400],
  Cancelled: [Code.Canceled, "RequestCanceledException", "RequestCanceledException", 400],
  InvalidArgument: [Code.InvalidArgument, "ValidationException", "ValidationException", 400],
  InvalidGrantToken: [Code.InvalidArgument, "InvalidGrantTokenException", "InvalidGrantTokenException", 400],
  Throttled: [Code.ResourceExhausted, "Rejected.Throttling", "ThrottlingException", 400],
  LimitExceeded: [Code.ResourceExhausted, "LimitExceededException", "LimitExceededException", 400],
  Unauthenticated: [Code.Unauthenticated, "UnrecognizedClientException", "UnrecognizedClientException", 400],
  IncompleteSignature: [Code.Unauthenticated, "IncompleteSignatureException", "IncompleteSignatureException", 400],
  SignatureMismatch: [Code.Unauthenticated, "InvalidSignatureException", "InvalidSignatureException", 400],
  AccessDenied: [Code.PermissionDenied, "AccessDeniedException", "AccessDeniedException", 400],
  DependencyTimeout: [Code.Unavailable, "DependencyTimeoutException", "DependencyTimeoutException", 503],
  Internal: [Code.Internal, "KMSInternalException", "KMSInternalException", 500],
  IncorrectKeyMaterial: [Code.InvalidArgument, "IncorrectKeyMaterialException", "IncorrectKeyMaterialException", 400],
  ExpiredImportToken: [Code.InvalidArgument, "ExpiredImportTokenException", "ExpiredImportTokenException", 400],
  InvalidImportToken: [Code.InvalidArgument, "InvalidImportTokenException", "InvalidImportTokenException", 400],
  Tag: [Code.InvalidArgument, "TagException", "TagException", 400],
  DryRun: [Code.FailedPrecondition, "DryRunOperationException", "DryRunOperationException", 400],
};

describe("error model", () => {
  it("covers every code in the expectations and nothing else", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...KMS_CODES].sort());
  });

  it.each([...KMS_CODES])("maps %s on every wire", (code) => {
    const [connect, reason, aws, status] = EXPECTED[code]!;
    const err = toConnectError(new KmsError(code, "m"));
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.code).toBe(connect);
    expect(connectCode(new KmsError(code, "m"))).toBe(connect);
    const info = err.findDetails(ErrorInfoSchema);
    expect(info).toHaveLength(1);
    expect(info[0]!.reason).toBe(reason);
    expect(info[0]!.domain).toBe("kms.v1");
    expect(ERROR_WIRE[code].aws).toBe(aws);
    expect(ERROR_WIRE[code].awsStatus).toBe(status);
  });

  it("turns an unexpected error into Internal with a fixed message that hides the cause", () => {
    const err = toKmsError(new Error("secret plaintext in a driver message"));
    expect(err.code).toBe("Internal");
    expect(err.message).toBe(INTERNAL_MESSAGE);
    expect(err.message).not.toContain("secret");
  });

  it("keeps a KmsError as it is", () => {
    const original = new KmsError("Disabled", "x");
    expect(toKmsError(original)).toBe(original);
  });

  it("documents every code in docs/errors.md", () => {
    const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    for (const code of KMS_CODES) {
      expect(doc, code).toContain(`| ${code} |`);
      expect(doc, code).toContain(ERROR_WIRE[code].reason);
    }
  });
});
