/**
 * The Node entry point of the typed client (`import { createKmsClient } from "kms/client"`).
 * Browsers import `kms/client/browser` instead, which pulls in no Node modules.
 */
export type { CommonClientOptions, KmsClient } from "./client.js";
export { KmsClientError, reasonOf, toKmsClientError } from "./errors.js";
export { createKmsClient, type NodeClientOptions } from "./node.js";
export { isRetryable, type RetryOptions, retryInterceptor } from "./retry.js";
