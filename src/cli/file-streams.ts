import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, type Stats, type WriteStream } from "node:fs";
import { rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FileProblem, Interrupted, type StopSignal } from "./cli-errors.js";
import { type ProgressTarget, progressStream } from "./progress.js";

/** 128 + SIGPIPE: the exit status of a command whose output pipe was closed by its reader. */
export const EXIT_PIPE_CLOSED = 141;

export { Interrupted } from "./cli-errors.js";

/** The signals that end a transfer early; each removes the partial output and exits 128 + its number. */
const STOP_SIGNALS: readonly StopSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** The input of `kms encrypt`/`kms decrypt`: a file, or stdin for `-` or no `-i`. */
export interface Input {
  stream: Readable;
  /** The size when the input is a regular file, for the progress bar. */
  size: number | undefined;
  /** The file's identity, so that `-o` can refuse to overwrite it (`-i f -o f`). */
  stats?: Stats;
}

/** Opens `-i PATH` (after checking it is a readable regular file) or stdin. */
export async function openInput(path: string | undefined, stdin: Readable): Promise<Input> {
  if (path === undefined || path === "-") return { stream: stdin, size: undefined };
  const info = await stat(path);
  if (!info.isFile()) throw new FileProblem(`-i ${path} is not a file`);
  return { stream: createReadStream(path), size: info.size, stats: info };
}

/**
 * The output: a sink function for `stream/promises.pipeline`, and what to do once the pipeline
 * settles. A file is written under a temporary name in the same directory and renamed into
 * place only when everything succeeded — so a failed or interrupted run (which may already have
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

/**
 * Opens `-o PATH` or stdout. Everything that can be known before any byte is read is checked
 * here, each as one line: the directory must exist, PATH must not be a directory, and it must
 * not be the input file (`-i f -o f` would replace the plaintext with its own ciphertext). The
 * file is created with `mode` under a temporary name until `commit`.
 */
export async function openOutput(
  path: string | undefined,
  stdout: Writable,
  mode: number,
  input?: Input,
): Promise<Output> {
  if (path === undefined || path === "-") return stdoutOutput(stdout);
  const dir = dirname(path);
  const dirInfo = await stat(dir).catch(() => undefined);
  if (!dirInfo?.isDirectory()) throw new FileProblem(`-o ${path}: the directory ${dir} does not exist`);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new FileProblem(`-o ${path} is a directory; name a file in it`);
  if (existing && input?.stats && existing.dev === input.stats.dev && existing.ino === input.stats.ino) {
    throw new FileProblem(`-i and -o name the same file (${path}); write to another file, then rename it`);
  }
  return fileOutput(path, mode);
}

function stdoutOutput(stdout: Writable): Output {
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

function fileOutput(path: string, mode: number): Output {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.partial`);
  let file: WriteStream | undefined;
  return {
    closedEarly: false,
    sink: async (source) => {
      file = createWriteStream(temp, { flags: "wx", mode });
      await pipeline(source, file);
    },
    commit: () => rename(temp, path),
    abort: async () => {
      // Wait for the descriptor to close: a stream destroyed while its open() is still pending
      // creates the file afterwards, and an unlink before that would leave it behind.
      // (Not `events.once`: it rejects on the stream's 'error', which an aborted pipeline emits.)
      const stream = file;
      if (stream && !stream.closed) {
        await new Promise<void>((resolve) => {
          stream.once("close", () => resolve());
          stream.destroy();
        });
      }
      await unlink(temp).catch(() => {});
    },
  };
}

/**
 * Streams `input` through a progress bar and `transform` into `output`; the output is committed
 * only when everything succeeded (a file is renamed into place) and removed otherwise — also when
 * SIGINT (Ctrl-C), SIGTERM or SIGHUP arrives meanwhile: the handlers installed for the duration
 * abort the pipeline, the partial file is removed, and {@link Interrupted} is thrown. Returns the
 * exit status: 0, or {@link EXIT_PIPE_CLOSED} when the reader of stdout went away (as cat and gzip
 * do); any other failure is thrown to the caller, which words it.
 */
export async function transfer(
  input: Input,
  transform: Transform,
  output: Output,
  progress: { target: ProgressTarget; label: string },
): Promise<number> {
  const stop = new AbortController();
  let signalled: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    signalled = signal;
    stop.abort();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    await pipeline(input.stream, progressStream({ total: input.size, ...progress }), transform, output.sink, {
      signal: stop.signal,
    });
    await output.commit();
    return 0;
  } catch (err) {
    await output.abort();
    if (signalled) throw new Interrupted(signalled);
    if (output.closedEarly) return EXIT_PIPE_CLOSED;
    throw err;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
