import { execFileSync } from "node:child_process";
import { readlinkSync } from "node:fs";

/**
 * Puts the calling thread under Linux's `SCHED_IDLE` policy, through util-linux's `chrt` (Node has
 * no API for it), and says whether that took. Meant for the key-pair worker threads: an RSA_4096
 * pair is seconds of pure CPU, and on a small machine two of them at normal priority delayed
 * GenerateDataKey's p99 to 1.7–1.8× its idle p99; nice 10 or 19 did not help (bench/REPORT.md). Under
 * `SCHED_IDLE` a thread keeps the smallest CPU weight the scheduler has — it still progresses,
 * so a pair is never starved for good — and, unlike a niced thread, it is preempted at once when
 * the event loop (or anything else) wakes up.
 *
 * Best effort: elsewhere than Linux, or without `chrt`, the thread keeps its priority (and the
 * refill lane its nice 19).
 */
export function lowerToIdlePriority(): boolean {
  if (process.platform !== "linux") return false;
  try {
    // `/proc/thread-self` names the thread that reads it: `<pid>/task/<tid>`.
    const tid = readlinkSync("/proc/thread-self").split("/").pop();
    if (!tid || !/^\d+$/.test(tid)) return false;
    execFileSync("chrt", ["--idle", "--pid", "0", tid], { stdio: "ignore", timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}
