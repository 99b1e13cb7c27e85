import { setTimeout as sleep } from "node:timers/promises";
import { ADMIN_AUTH, type ServerProcess } from "../../test/helpers/server-process.js";

/** One `kms_keypair_pool_*{spec="…"}` sample from the server's `/metrics` (0 when absent). */
export async function poolFigure(server: ServerProcess, name: string, spec: string): Promise<number> {
  const res = await fetch(`${server.url}/metrics`, { headers: ADMIN_AUTH });
  const prefix = `${name}{spec="${spec}"} `;
  const line = (await res.text()).split("\n").find((l) => l.startsWith(prefix));
  return line === undefined ? 0 : Number(line.slice(prefix.length));
}

/** Waits until the spec's pool holds at least its current target (no refill left to do). */
export async function waitForFullPool(server: ServerProcess, spec: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const depth = await poolFigure(server, "kms_keypair_pool_depth", spec);
    const target = await poolFigure(server, "kms_keypair_pool_target", spec);
    if (target > 0 && depth >= target) return;
    if (Date.now() > deadline) throw new Error(`the ${spec} pool did not fill in ${timeoutMs} ms (${depth}/${target})`);
    await sleep(200);
  }
}
