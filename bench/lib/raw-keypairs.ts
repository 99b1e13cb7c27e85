import { Worker } from "node:worker_threads";

/**
 * The baseline of the sustained pool benchmark: `threads` worker threads each call
 * `crypto.generateKeyPairSync` for RSA-4096 (SPKI/PKCS#8 DER, e = 65537, as
 * src/crypto/key-pairs.ts does) in a loop for `ms`; resolves with pairs per second, all threads
 * together. Only pairs finished inside the window count, as in `runLoad`.
 */
export async function rawKeyPairRate(threads: number, ms: number): Promise<number> {
  const source = `
    const { generateKeyPairSync } = require("node:crypto");
    const { parentPort, workerData } = require("node:worker_threads");
    let n = 0;
    while (Date.now() < workerData.deadline) {
      generateKeyPairSync("rsa", {
        modulusLength: 4096,
        publicExponent: 0x10001,
        publicKeyEncoding: { type: "spki", format: "der" },
        privateKeyEncoding: { type: "pkcs8", format: "der" },
      });
      if (Date.now() <= workerData.deadline) n++;
    }
    parentPort.postMessage(n);`;
  const start = Date.now();
  const deadline = start + ms;
  const counts = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(source, { eval: true, workerData: { deadline } });
          worker.once("message", (n: number) => {
            resolve(n);
            void worker.terminate();
          });
          worker.once("error", reject);
        }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0) / ((deadline - start) / 1000);
}
