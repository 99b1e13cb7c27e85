import { createDecryptStream } from "../client/envelope-decrypt.js";
import { KmsClientError } from "../client/errors.js";
import {
  clientFrom,
  contextOf,
  DEFAULT_ENDPOINT,
  describeFailure,
  flag,
  parseFileArgs,
  UsageError,
} from "./client-args.js";
import type { CommandIo } from "./encrypt-command.js";
import { openInput, openOutput, transfer } from "./file-streams.js";

/** The synopsis printed with a usage mistake. */
export const DECRYPT_USAGE = "kms decrypt [--context k=v ...] [-i IN] [-o OUT] [--endpoint URL] [--token T]";

/**
 * The one message for every envelope that cannot be opened. Like the service's
 * `InvalidCiphertextException`, it does not say which check failed (docs/errors.md).
 */
export const UNDECRYPTABLE = "the file could not be decrypted: wrong key, wrong context, or it was altered";

/**
 * `kms decrypt`: reads an envelope from a file (or stdin) and writes its plaintext to a file (or
 * stdout). Only authenticated chunks are ever written; a file output appears (by rename) only
 * when the whole envelope verified, and is created with mode 0600. On stdout, a failure after
 * some chunks leaves those authentic chunks written and exits non-zero — treat the output as
 * valid only on exit 0. Exit 2 on a usage mistake, 1 on any other failure.
 */
export async function decryptCommand(args: string[], io: CommandIo): Promise<number> {
  let endpoint = io.env.KMS_ENDPOINT ?? DEFAULT_ENDPOINT;
  try {
    const parsed = parseFileArgs(args, [], DECRYPT_USAGE);
    const context = contextOf(parsed);
    const conn = clientFrom(parsed, io.env);
    endpoint = conn.endpoint;
    const input = await openInput(flag(parsed, "in"), io.stdin);
    const output = openOutput(flag(parsed, "out"), io.stdout, 0o600);
    return await transfer(input, createDecryptStream(conn.client, { context }), output, {
      target: io.stderr,
      label: "decrypting",
    });
  } catch (err) {
    const undecryptable = err instanceof KmsClientError && err.reason === "InvalidCiphertextException";
    io.stderr.write(`kms: ${undecryptable ? UNDECRYPTABLE : describeFailure(err, endpoint)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
