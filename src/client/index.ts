/**
 * The Node entry point of the typed client (`import { createKmsClient } from "@kms/client"`, packaged
 * by `clients/typescript`). Browsers import `@kms/client/browser` instead, which pulls in no Node modules.
 */
export type { CommonClientOptions, KmsClient } from "./client.js";
export { KmsClientError, reasonOf, toKmsClientError } from "./errors.js";
export { createKmsClient, type NodeClientOptions } from "./node.js";
export { backoffDelayMs, isRetryable, type RetryOptions, retryInterceptor } from "./retry.js";
export {
  createDecryptStream,
  createEncryptStream,
  type DecryptStreamOptions,
  DEFAULT_CHUNK_SIZE,
  decryptEnvelope,
  type EncryptStreamOptions,
  encryptEnvelope,
  MAX_CHUNK_SIZE,
} from "./envelope.js";
/** The enums requests and responses use, so callers need not reach into `gen/`. */
export { EncryptionAlgorithm } from "../../gen/kms/v1/crypto_service_pb.js";
export {
  DataKeySpec,
  KeyFormat,
  KeyPairSpec,
  KeySpec,
  KeyState,
  KeyUsage,
  KeyVersionState,
  MacAlgorithm,
  MessageType,
  SigningAlgorithm,
} from "../../gen/kms/v1/types_pb.js";
