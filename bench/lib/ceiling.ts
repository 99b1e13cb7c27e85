import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface CeilingServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `ceiling-server.ts` as a child process (same Node, same tsx loader as `npm start`). */
export async function startCeilingServer(): Promise<CeilingServer> {
  const child = spawn(process.execPath, ["--import", "tsx", new URL("./ceiling-server.ts", import.meta.url).pathname], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the ceiling server did not start in 30 s")), 30_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === "ceiling listening") {
          clearTimeout(timer);
          resolve(Number(entry.port));
        }
      } catch {}
    });
    void exited.then(() => reject(new Error("the ceiling server exited before listening")));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
