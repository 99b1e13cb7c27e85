import type { Readable, Writable } from "node:stream";
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
import { openInput, openOutput, transfer } from "./file-streams.js";
import type { ProgressTarget } from "./progress.js";

/** The process's streams and environment, injected so the commands can run in tests. */
export interface CommandIo {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
  stderr: ProgressTarget;
  env: NodeJS.ProcessEnv;
}

/** The synopsis printed with a usage mistake. */
export const ENCRYPT_USAGE =
  "kms encrypt --key-id KEY [--context k=v ...] [-i IN] [-o OUT] [--endpoint URL] [--token T]";

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
    const encryptor = await createEncryptStream(conn.client, { keyId, context });
    const output = openOutput(outPath, io.stdout, 0o644);
    return await transfer(input, encryptor, output, { target: io.stderr, label: "encrypting" });
  } catch (err) {
    io.stderr.write(`kms: ${describeFailure(err, endpoint)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
