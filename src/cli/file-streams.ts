import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import { once } from "node:events";
import { basename, dirname, join } from "node:path";
import type { Readable, Transform, Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { type ProgressTarget, progressStream } from "./progress.js";

/** 128 + SIGPIPE: the exit status of a command whose output pipe was closed by its reader. */
export const EXIT_PIPE_CLOSED = 141;

/** The input of `kms encrypt`/`kms decrypt`: a file, or stdin for `-` or no `-i`. */
export interface Input {
  stream: Readable;
  /** The size when the input is a regular file, for the progress bar. */
  size: number | undefined;
}

/** Opens `-i PATH` (after checking it is a readable regular file) or stdin. */
export async function openInput(path: string | undefined, stdin: Readable): Promise<Input> {
  if (path === undefined || path === "-") return { stream: stdin, size: undefined };
  const info = await stat(path);
  if (!info.isFile())
    throw Object.assign(new Error(`${path} is not a file`), { syscall: "open", code: "EISDIR", path });
  return { stream: createReadStream(path), size: info.size };
}

/**
 * The output: a sink function for `stream/promises.pipeline`, and what to do once the pipeline
 * settles. A file is written under a temporary name in the same directory and renamed into
 * place only when everything succeeded — so a failed decryption (which may already have
 * released authentic leading chunks) never leaves a plausible-looking partial file behind.
 * Stdout is written with backpressure and never closed.
 */
export interface Output {
  sink: (source: AsyncIterable<Buffer>) => Promise<void>;
  /** True once stdout's reader went away (EPIPE, as in `kms decrypt | head`). */
  readonly closedEarly: boolean;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Opens `-o PATH` (created with `mode`, under a temporary name until `commit`) or stdout. */
export function openOutput(path: string | undefined, stdout: Writable, mode: number): Output {
  if (path === undefined || path === "-") {
    const out = {
      closedEarly: false,
      sink: async (source: AsyncIterable<Buffer>) => {
        // A reader that goes away (`kms decrypt | head`) makes stdout emit EPIPE; without a
        // listener that would crash the process instead of ending the command with one line.
        let failed: Error | undefined;
        const onError = (err: NodeJS.ErrnoException) => {
          failed = err;
          if (err.code === "EPIPE") out.closedEarly = true;
        };
        stdout.on("error", onError);
        try {
          for await (const chunk of source) {
            if (failed) throw failed;
            if (!stdout.write(chunk)) await once(stdout, "drain");
          }
          if (failed) throw failed;
        } finally {
          stdout.off("error", onError);
        }
      },
      commit: async () => {},
      abort: async () => {},
    };
    return out;
  }
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.partial`);
  let file: Writable | undefined;
  return {
    closedEarly: false,
    sink: async (source) => {
      file = createWriteStream(temp, { flags: "wx", mode });
      for await (const chunk of source) {
        if (!file.write(chunk)) await once(file, "drain");
      }
      file.end();
      await finished(file);
    },
    commit: () => rename(temp, path),
    abort: async () => {
      file?.destroy();
      await unlink(temp).catch(() => {});
    },
  };
}

/**
 * Streams `input` through a progress bar and `transform` into `output`; the output is committed
 * only when everything succeeded (a file is renamed into place) and removed otherwise. Returns the
 * exit status: 0, or {@link EXIT_PIPE_CLOSED} when the reader of stdout went away (as cat and gzip
 * do); any other failure is thrown to the caller, which words it.
 */
export async function transfer(
  input: Input,
  transform: Transform,
  output: Output,
  progress: { target: ProgressTarget; label: string },
): Promise<number> {
  try {
    await pipeline(input.stream, progressStream({ total: input.size, ...progress }), transform, output.sink);
    await output.commit();
    return 0;
  } catch (err) {
    await output.abort();
    if (output.closedEarly) return EXIT_PIPE_CLOSED;
    throw err;
  }
}
