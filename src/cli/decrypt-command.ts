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
import type { CommandIo, CommandSpec } from "./command.js";
import { Interrupted, openInput, openOutput, transfer } from "./file-streams.js";
import { CONNECTION_HELP } from "./help-text.js";
import { printError } from "./terminal.js";

/** The synopsis printed with a usage mistake. */
export const DECRYPT_USAGE = "kms decrypt [--context k=v ...] [-i IN] [-o OUT] [--endpoint URL] [--token T]";

const HELP = `usage: ${DECRYPT_USAGE}

Decrypts an envelope made by kms encrypt from a file (or stdin) to a file (or stdout).

  --context k=v      the encryption context it was made with, repeatable
  -i, --in IN        input envelope; - or absent: stdin
  -o, --out OUT      output file (created mode 0600); - or absent: stdout
${CONNECTION_HELP}

Only authenticated chunks are ever written. A file output appears only when the whole envelope
verified: an error, Ctrl-C, SIGTERM or SIGHUP leaves no partial file. On stdout, treat the
output as valid only on exit 0. Exit 1 on a failure, 2 on a usage mistake, 130/143/129 when
interrupted.`;

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
    const output = await openOutput(flag(parsed, "out"), io.stdout, 0o600, input);
    return await transfer(input, createDecryptStream(conn.client, { context }), output, {
      target: io.stderr,
      label: "decrypting",
    });
  } catch (err) {
    const undecryptable = err instanceof KmsClientError && err.reason === "InvalidCiphertextException";
    printError(io.stderr, io.env, undecryptable ? UNDECRYPTABLE : describeFailure(err, endpoint));
    if (err instanceof Interrupted) return err.exitCode;
    return err instanceof UsageError ? 2 : 1;
  }
}

export const command: CommandSpec = {
  help: HELP,
  words: ["--context", "--in", "--out", "--endpoint", "--token"],
  run: decryptCommand,
};
