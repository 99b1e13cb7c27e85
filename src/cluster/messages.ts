/**
 * The IPC messages between a cluster's primary and its server processes (`node:cluster`), tagged
 * `kms` so that nothing else sent over the channel is taken for one.
 */
export type WorkerMessage =
  /** The process is serving on the shared port (`port` as it bound). */
  | { kms: "listening"; port: number; info: Record<string, unknown> }
  /** Asks for a key-pair permit; answered by a `permit` message with the same id. */
  | { kms: "permit-acquire"; id: number }
  | { kms: "permit-release"; id: number };

export type PrimaryMessage = { kms: "permit"; id: number; granted: boolean };

export function isWorkerMessage(m: unknown): m is WorkerMessage {
  return typeof m === "object" && m !== null && typeof (m as { kms?: unknown }).kms === "string";
}

export function isPrimaryMessage(m: unknown): m is PrimaryMessage {
  return isWorkerMessage(m) && (m as { kms: string }).kms === "permit";
}
