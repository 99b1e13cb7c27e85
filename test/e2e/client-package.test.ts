import { execFile } from "node:child_process";
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_ARGS, haveChromium } from "../helpers/chromium.js";
import { ROOT, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

const run = promisify(execFile);
const PACKAGE_DIR = join(ROOT, "clients", "typescript");

/**
 * The packed client (`clients/typescript`, `npm pack`) as a user gets it: installed from its
 * tarball into a fresh project, then used from plain `node` (no loader), type-checked by `tsc`
 * against its `.d.ts`, and bundled by Vite for a page that Chromium loads from another origin —
 * each calling the real server. Regression: the package used to export `.ts` source, and plain
 * node failed with ERR_UNKNOWN_FILE_EXTENSION.
 */
describe("the packed client package (@kms/client)", () => {
  let work: string;
  let app: string;
  let server: ServerProcess;
  let page: Server;
  let pageOrigin: string;
  let tarballFiles: string[];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    work = mkdtempSync(join(tmpdir(), "kms-client-pkg-"));
    // `prepack` compiles the client; `--prefer-offline` takes the dependencies from npm's cache,
    // which `npm ci` of this repository has just filled.
    await run("npm", ["pack", "--silent", "--pack-destination", work], { cwd: PACKAGE_DIR });
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
    tarballFiles = (await run("tar", ["tzf", join(work, tarball)])).stdout.trim().split("\n");
    app = join(work, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(work, tarball)], { cwd: app });

    page = createServer((req, res) => {
      const path = normalize(new URL(req.url ?? "/", "http://x").pathname).replace(/^(\.\.[/\\])+/, "");
      const file = join(app, "dist", path === "/" ? "index.html" : path);
      const type = extname(file) === ".js" ? "text/javascript" : "text/html";
      createReadStream(file)
        .on("error", () => res.writeHead(404).end())
        .once("open", () => res.writeHead(200, { "content-type": type }))
        .pipe(res);
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    server = await startServer({ env: { KMS_CORS_ORIGINS: pageOrigin } });
  });

  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => (page ? page.close(resolve) : resolve(undefined)));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("ships compiled JavaScript with declarations and no TypeScript source", () => {
    expect(tarballFiles).toContain("package/dist/src/client/index.js");
    expect(tarballFiles).toContain("package/dist/src/client/index.d.ts");
    expect(tarballFiles).toContain("package/dist/src/client/browser.js");
    expect(tarballFiles.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  });

  it("works from plain node against the real server", async () => {
    writeFileSync(
      join(app, "node-check.mjs"),
      `import { createKmsClient, KeySpec, KmsClientError } from "@kms/client";
const kms = createKmsClient({ baseUrl: process.env.KMS_URL, token: process.env.KMS_TOKEN, retry: false });
const { key } = await kms.keys.createKey({ keySpec: KeySpec.AES_256, description: "from node" });
const sealed = await kms.crypto.advanceEncrypt({ keyId: key.keyId, plaintext: new TextEncoder().encode("hi"), encryptionContext: { app: "node" } });
const opened = await kms.crypto.advanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob, encryptionContext: { app: "node" } });
let reason = "none";
try {
  await kms.crypto.advanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob, encryptionContext: { app: "other" } });
} catch (err) {
  reason = err instanceof KmsClientError ? err.reason : "not a KmsClientError";
}
console.log(JSON.stringify({ keyId: key.keyId, plaintext: new TextDecoder().decode(opened.plaintext), reason }));
`,
    );
    const { stdout } = await run(process.execPath, ["node-check.mjs"], {
      cwd: app,
      env: { ...process.env, KMS_URL: server.url, KMS_TOKEN: TEST_ADMIN.token },
    });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ plaintext: "hi", reason: "InvalidCiphertextException" });
    expect(result.keyId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("type-checks in a TypeScript project with no loader or path mapping", async () => {
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          lib: ["ES2023", "DOM"],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules", "@types")],
        },
        files: ["check.ts"],
      }),
    );
    // The expected errors prove the declarations are real types, not `any`.
    writeFileSync(
      join(app, "check.ts"),
      `import { createKmsClient, type KmsClient, KeySpec, KmsClientError } from "@kms/client";
import { createBrowserKmsClient } from "@kms/client/browser";
const kms: KmsClient = createKmsClient({ baseUrl: "http://127.0.0.1:1", protocol: "grpc" });
const web: KmsClient = createBrowserKmsClient({ baseUrl: "http://127.0.0.1:1" });
export async function describe(id: string): Promise<string | undefined> {
  const { key } = await kms.keys.describeKey({ keyId: id });
  const spec: KeySpec | undefined = key?.keySpec;
  void spec;
  void web;
  // @ts-expect-error keyId is a string
  await kms.keys.describeKey({ keyId: 42 });
  // @ts-expect-error no such protocol
  createKmsClient({ baseUrl: "x", protocol: "smtp" });
  return new KmsClientError(5, "NotFoundException", "x").reason;
}
`,
    );
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: app }).catch((e) => e);
    expect(`${result.stdout}${result.stderr}`).toBe("");
  });

  it("bundles with Vite and runs in Chromium from another origin", async () => {
    writeFileSync(
      join(app, "index.html"),
      `<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>`,
    );
    writeFileSync(
      join(app, "main.js"),
      `import { createBrowserKmsClient, KmsClientError } from "@kms/client/browser";
const params = new URLSearchParams(location.search);
const kms = createBrowserKmsClient({ baseUrl: params.get("api"), token: params.get("token"), retry: false });
try {
  const { key } = await kms.keys.createKey({ description: "from the browser" });
  const sealed = await kms.crypto.advanceEncrypt({ keyId: key.keyId, plaintext: new TextEncoder().encode("hi") });
  const opened = await kms.crypto.advanceDecrypt({ ciphertextBlob: sealed.ciphertextBlob });
  let reason = "none";
  try {
    await kms.keys.describeKey({ keyId: "alias/missing" });
  } catch (err) {
    reason = err instanceof KmsClientError ? err.reason : "not a KmsClientError";
  }
  document.body.dataset.result = JSON.stringify({ keyId: key.keyId, plaintext: new TextDecoder().decode(opened.plaintext), reason });
} catch (err) {
  document.body.dataset.result = JSON.stringify({ error: String(err) });
}
`,
    );
    await build({ root: app, base: "./", logLevel: "silent", configFile: false, build: { outDir: "dist" } });
    const bundle = readdirSync(join(app, "dist", "assets")).filter((f) => f.endsWith(".js"));
    expect(bundle).toHaveLength(1);
    expect(readFileSync(join(app, "dist", "assets", bundle[0]!), "utf8")).not.toMatch(/from\s*["']node:/);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    try {
      const tab = await browser.newPage();
      const api = encodeURIComponent(server.url);
      await tab.goto(`${pageOrigin}/?api=${api}&token=${encodeURIComponent(TEST_ADMIN.token)}`);
      await tab.waitForFunction(() => document.body.dataset.result !== undefined, undefined, { timeout: 30_000 });
      const result = JSON.parse((await tab.evaluate(() => document.body.dataset.result)) ?? "{}");
      expect(result).toMatchObject({ plaintext: "hi", reason: "NotFoundException" });
      expect(result.keyId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await browser.close();
    }
  });
});
