import { type DestinationStream, pino } from "pino";

/**
 * Bytes a batch of log lines reaches before it is written. A batch is only ever written whole
 * lines at a time, so with lines shorter than this a write stays under 4 KiB, Linux's PIPE_BUF:
 * the server processes of one `KMS_PROCESSES` cluster share one stdout, and writes up to
 * PIPE_BUF to a pipe are atomic, so their lines never interleave.
 */
const BATCH_BYTES = 2048;

/** The longest a line waits in a batch while the server is quiet. */
export const LOG_FLUSH_MS = 100;

/**
 * The server's log on stdout, written in batches rather than one `write(2)` per line.
 *
 * The server logs one line per call (docs/operations.md). Written one at a time, each line was a
 * system call and a wake-up of whatever reads the pipe: 6–15 % of a GenerateDataKey's server CPU
 * under load (bench/REPORT.md). Lines now wait until a batch is full, for at most
 * {@link LOG_FLUSH_MS}, and are written synchronously at exit — a normal exit, a drain after
 * SIGTERM or an uncaught exception. Only a process killed outright (SIGKILL, the OOM killer)
 * loses its last unwritten lines; the audit trail, not this log, is the durable record of calls.
 */
export function batchedStdout(): DestinationStream {
  const destination = pino.destination({ dest: 1, sync: true, minLength: BATCH_BYTES, periodicFlush: LOG_FLUSH_MS });
  process.once("exit", () => {
    try {
      destination.flushSync();
    } catch {
      // stdout is gone (the reader closed the pipe): nothing is left to write to.
    }
  });
  return destination;
}
