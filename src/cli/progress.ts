import { Transform, type TransformCallback } from "node:stream";

/** Inputs smaller than this finish too quickly for a progress bar to help. */
export const PROGRESS_THRESHOLD = 4 * 1024 * 1024;

/** Where the bar is drawn: in practice `process.stderr`. */
export interface ProgressTarget {
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  write(text: string): unknown;
}

/** Options of {@link progressStream}. */
export interface ProgressOptions {
  /** Total input bytes, when known (a file). Without it there is no bar. */
  total: number | undefined;
  target: ProgressTarget;
  /** What is being done: `encrypting`, `decrypting`. */
  label: string;
  /** Injected for tests; defaults to Date.now. */
  now?: () => number;
  /** Draws at most this often (default 100 ms). */
  intervalMs?: number;
}

/**
 * A pass-through stream that draws a progress bar on `target` for the bytes flowing through it.
 * It draws only when `target` is a terminal and the input is a file of at least
 * {@link PROGRESS_THRESHOLD} bytes, so pipes, logs and CI output stay quiet; otherwise it only
 * passes bytes on. The bar is erased when the stream ends or fails, so the next line (an error,
 * the shell prompt) starts clean.
 */
export function progressStream(opts: ProgressOptions): Transform {
  const { total, target, label } = opts;
  const enabled = target.isTTY === true && total !== undefined && total >= PROGRESS_THRESHOLD;
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 100;
  let done = 0;
  let lastDraw = 0;
  const draw = () => target.write(`\r${renderBar(label, done, total ?? 0, target.columns ?? 80)}`);
  const erase = () => {
    if (enabled && lastDraw !== 0) target.write(`\r${" ".repeat(Math.max(0, (target.columns ?? 80) - 1))}\r`);
  };
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      done += chunk.length;
      if (enabled && now() - lastDraw >= interval) {
        lastDraw = now();
        draw();
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      erase();
      callback();
    },
    destroy(err: Error | null, callback: (error?: Error | null) => void) {
      erase();
      callback(err);
    },
  });
}

/** One line: `encrypting [#########.........]  45%  12.0/26.7 MiB`, fitted to `columns`. */
export function renderBar(label: string, done: number, total: number, columns: number): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const amounts = `${mib(done)}/${mib(total)} MiB`;
  const fixed = label.length + percent.length + amounts.length + 6;
  const width = Math.max(10, Math.min(40, columns - 1 - fixed));
  const filled = Math.round(fraction * width);
  return `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${percent}  ${amounts}`;
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
