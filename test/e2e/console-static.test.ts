import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleHandler, safeRelativePath } from "../../src/console-static.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * How the server hands out the console's files: only files under dist/console, never anything a
 * crafted path reaches outside it, with the security and cache headers, and not at all with
 * `KMS_CONSOLE=false`. Raw `http.request` keeps paths exactly as written (fetch would normalise
 * `..` away before sending).
 */

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function rawGet(base: string, path: string, method = "GET"): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const CSP = "default-src 'self'; connect-src 'self'";

describe("console served by the real server", () => {
  let server: ServerProcess;
  let off: ServerProcess;

  beforeAll(async () => {
    [server, off] = await Promise.all([startServer(), startServer({ env: { KMS_CONSOLE: "false" } })]);
  });

  afterAll(async () => {
    await Promise.all([server?.stop(), off?.stop()]);
  });

  it("serves index.html at /console/ with the security headers", async () => {
    const res = await rawGet(server.url, "/console/");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["content-security-policy"]).toContain(CSP);
    expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(res.headers["content-security-policy"]).not.toContain("unsafe-eval");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.body).toContain('<div id="app">');
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("serves hashed assets with their content type and a long cache", async () => {
    const index = await rawGet(server.url, "/console/");
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    const style = /href="(\/console\/assets\/[^"]+\.css)"/.exec(index.body)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    const js = await rawGet(server.url, script!);
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.headers["content-security-policy"]).toContain(CSP);
    const css = await rawGet(server.url, style!);
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    const head = await rawGet(server.url, script!, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(Number(head.headers["content-length"])).toBe(Buffer.byteLength(js.body));
  });

  it("answers index.html for console routes and 404 for missing files", async () => {
    const route = await rawGet(server.url, "/console/keys/some-key");
    expect(route.status).toBe(200);
    expect(route.body).toContain('<div id="app">');
    expect((await rawGet(server.url, "/console/assets/missing-0000.js")).status).toBe(404);
    const bare = await rawGet(server.url, "/console");
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe("/console/");
    expect((await rawGet(server.url, "/console/", "POST")).status).toBe(405);
  });

  it.each([
    "/console/../package.json",
    "/console/%2e%2e/package.json",
    "/console/%2E%2E/package.json",
    "/console/%2e%2e%2fpackage.json",
    "/console/..%2fpackage.json",
    "/console/..%5cpackage.json",
    "/console/assets/../../package.json",
    "/console/./index.html",
    "/console//etc/passwd",
    "/console/%2fetc%2fpasswd",
    "/console/index.html%00.js",
    "/console/%E0%A4%A",
  ])("refuses %s", async (path) => {
    const res = await rawGet(server.url, path);
    expect(res.status).toBe(400);
    expect(res.body).not.toContain('"name": "kms"');
    expect(res.body).not.toContain("root:");
    expect(res.headers["content-security-policy"]).toContain(CSP);
  });

  it("never serves a file outside dist/console for a double-encoded path", async () => {
    const res = await rawGet(server.url, "/console/%252e%252e/package.json");
    expect(res.body).not.toContain('"name": "kms"');
    expect(res.status).toBe(404);
  });

  it("is not served with KMS_CONSOLE=false", async () => {
    const res = await rawGet(off.url, "/console/");
    expect(res.status).toBe(404);
    expect(res.headers["content-security-policy"]).toBeUndefined();
    expect((await rawGet(off.url, "/healthz")).status).toBe(200);
  });

  it("refuses a bad KMS_CONSOLE value at start-up, naming the variable", async () => {
    await expect(startServer({ env: { KMS_CONSOLE: "maybe" }, timeoutMs: 20_000 })).rejects.toThrow(/KMS_CONSOLE/);
  });
});

describe("console handler on its own", () => {
  let dir: string;
  let site: http.Server;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kms-console-static-"));
    mkdirSync(join(dir, "console"));
    writeFileSync(join(dir, "secret.txt"), "outside the console");
    symlinkSync(join(dir, "secret.txt"), join(dir, "console", "link.txt"));
    site = http.createServer(createConsoleHandler({ root: join(dir, "console") }));
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => site?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 503 with the build command when the console is not built", async () => {
    const res = await rawGet(base, "/console/");
    expect(res.status).toBe(503);
    expect(res.body).toBe("The web console is not built: run `npm run build:console`.\n");
  });

  it("does not follow a symlink out of the console directory", async () => {
    writeFileSync(join(dir, "console", "index.html"), "<!doctype html><title>t</title>");
    const res = await rawGet(base, "/console/link.txt");
    expect(res.status).toBe(404);
    expect(res.body).not.toContain("outside the console");
    expect((await rawGet(base, "/console/")).body).toBe("<!doctype html><title>t</title>");
  });

  it("decodes and checks every segment", () => {
    expect(safeRelativePath("assets/app-1.js")).toBe("assets/app-1.js");
    expect(safeRelativePath("")).toBe("");
    expect(safeRelativePath("keys/")).toBe("keys/");
    expect(safeRelativePath("a/%2e%2e/b")).toBeUndefined();
    expect(safeRelativePath("a/.")).toBeUndefined();
    expect(safeRelativePath("%2fetc")).toBeUndefined();
    expect(safeRelativePath("a%5cb")).toBeUndefined();
    expect(safeRelativePath("%")).toBeUndefined();
  });
});
