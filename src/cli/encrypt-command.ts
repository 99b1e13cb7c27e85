import { createEncryptStream } from "../client/envelope-encrypt.js";
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
import { CONNECTION_HELP } from "./help-text.js";
import { Interrupted, openInput, openOutput, transfer } from "./file-streams.js";
import { printError } from "./terminal.js";

export type { CommandIo } from "./command.js";

/** The synopsis printed with a usage mistake. */
export const ENCRYPT_USAGE =
  "kms encrypt --key-id KEY [--context k=v ...] [-i IN] [-o OUT] [--endpoint URL] [--token T]";

const HELP = `usage: ${ENCRYPT_USAGE}

Envelope-encrypts a file (or stdin) under a fresh data key from the KMS and writes the envelope
(docs/envelope-format.md) to a file (or stdout). Memory stays bounded whatever the size.

  --key-id KEY       key id, key ARN or alias/NAME (required)
  --context k=v      encryption context, repeatable; decrypting needs the same pairs
  -i, --in IN        input file; - or absent: stdin
  -o, --out OUT      output file; - or absent: stdout (never a terminal)
${CONNECTION_HELP}

The output file appears only when the whole input was encrypted: an error, Ctrl-C, SIGTERM or
SIGHUP leaves no partial file. Exit 0 on success, 1 on a failure, 2 on a usage mistake,
130/143/129 when interrupted.`;

/**
 * `kms encrypt`: reads a file (or stdin) and writes an envelope (`docs/envelope-format.md`) to a
 * file (or stdout) under a fresh data key from the service. Memory stays bounded whatever the
 * size. Refuses to write the binary envelope to a terminal. Exit 0 on success, 2 on a usage
 * mistake (including a missing token), 1 on any other failure, with one line on stderr.
 */
export async function encryptCommand(args: string[], io: CommandIo): Promise<number> {
  let endpoint = io.env.KMS_ENDPOINT ?? DEFAULT_ENDPOINT;
  try {
    const parsed = parseFileArgs(args, ["key-id"], ENCRYPT_USAGE);
    const keyId = flag(parsed, "key-id");
    if (!keyId) throw new UsageError(`--key-id is required\n${ENCRYPT_USAGE}`);
    const outPath = flag(parsed, "out");
    if ((outPath === undefined || outPath === "-") && io.stdout.isTTY) {
      throw new UsageError("refusing to write an envelope to a terminal; use -o FILE or a pipe");
    }
    const context = contextOf(parsed);
    const conn = clientFrom(parsed, io.env);
    endpoint = conn.endpoint;
    const input = await openInput(flag(parsed, "in"), io.stdin);
    const output = await openOutput(outPath, io.stdout, 0o644, input);
    const encryptor = await createEncryptStream(conn.client, { keyId, context });
    return await transfer(input, encryptor, output, { target: io.stderr, label: "encrypting" });
  } catch (err) {
    printError(io.stderr, io.env, describeFailure(err, endpoint));
    if (err instanceof Interrupted) return err.exitCode;
    return err instanceof UsageError ? 2 : 1;
  }
}

export const command: CommandSpec = {
  help: HELP,
  words: ["--key-id", "--context", "--in", "--out", "--endpoint", "--token"],
  run: encryptCommand,
};
