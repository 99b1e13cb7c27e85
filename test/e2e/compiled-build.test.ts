import { createPublicKey, createPrivateKey } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grpcClients } from "../helpers/grpc-client.js";
import { ROOT, type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * The compiled build (`npm run build`, `tsconfig.build.json` → `dist/`), which `bin/kms.mjs` runs
 * instead of the sources when it is at least as new as every file of `src/` and `gen/`, in a
 * package folder of its own (the repository's files linked in, `bin/kms.mjs` and `dist/` its own
 * copies), so that ageing its build leaves the suite's other servers alone. The server is started with
 * the README's `npm start` in that folder; the calls exercise every part that loads a module by
 * path: the key-pair worker threads, the SQLite audit thread and the console's files.
 */

let pkg: string;

function listeningCode(server: ServerProcess): unknown {
  return server.logs.find((e) => e.msg === "kms listening")?.code;
}

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), "kms-build-"));
  for (const name of ["node_modules", "package.json", "src", "gen", "scripts", "console", "native"]) {
    symlinkSync(join(ROOT, name), join(pkg, name));
  }
  mkdirSync(join(pkg, "bin"));
  copyFileSync(join(ROOT, "bin/kms.mjs"), join(pkg, "bin/kms.mjs"));
  mkdirSync(join(pkg, "dist"));
  // `npm start`'s prestart builds the console into the repository's dist/console.
  symlinkSync(join(ROOT, "dist/console"), join(pkg, "dist/console"));
  // The build the global setup made (test/global-setup.ts), copied: the stale case below ages it,
  // which must not touch the one the suite's other servers run.
  for (const name of ["src", "gen"]) cpSync(join(ROOT, "dist", name), join(pkg, "dist", name), { recursive: true });
});

afterAll(() => {
  if (pkg) rmSync(pkg, { recursive: true, force: true });
});

describe("the compiled build", () => {
  it("serves every kind of call when it is fresh", async () => {
    const server = await startServer({ root: pkg });
    const c = grpcClients(server.url);
    try {
      expect(listeningCode(server)).toBe("compiled");

      // Every call is answered only once the SQLite audit thread stored its record (fail closed):
      // an audit thread whose module was not found would fail each of them.
      const { key } = await c.keys.CreateKey({ description: "compiled build" });
      const dk = await c.dataKeys.GenerateDataKey({ keyId: key.keyId, keySpec: "DATA_KEY_SPEC_AES_256" });
      const back = await c.crypto.Decrypt({ ciphertextBlob: dk.ciphertextBlob });
      expect(Buffer.compare(back.plaintext, dk.plaintext)).toBe(0);
      expect(dk.plaintext).toHaveLength(32);

      // A pair from the worker threads (their module is found beside the compiled pool).
      const pair = await c.dataKeys.GenerateDataKeyPair({
        keyId: key.keyId,
        keyPairSpec: "KEY_PAIR_SPEC_EC_P256",
        keyFormat: "KEY_FORMAT_DER",
      });
      expect(pair.keyPairSpec).toBe("KEY_PAIR_SPEC_EC_P256");
      const pub = createPublicKey({ key: pair.publicKey, format: "der", type: "spki" });
      expect(pub.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
      expect(createPrivateKey({ key: pair.privateKeyPlaintext, format: "der", type: "pkcs8" }).asymmetricKeyType).toBe(
        "ec",
      );

      // The console's files are found from dist/src as from src.
      const page = await fetch(`${server.url}/console/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<html");
    } finally {
      c.close();
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);

  it("is not run when it is older than the sources: the sources are", async () => {
    const old = new Date(Date.now() - 3_600_000 * 24 * 365 * 20);
    utimesSync(join(pkg, "dist/src/cli/index.js"), old, old);
    const server = await startServer({ root: pkg });
    try {
      expect(listeningCode(server)).toBe("sources");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);
});
