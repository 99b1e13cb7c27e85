import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Locator, type Page, type Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_DIST, createConsoleHandler } from "../../src/console-static.js";
import { CHROMIUM, CHROMIUM_ARGS, haveChromium, SCREENSHOTS } from "../helpers/chromium.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * The web console in Debian's Chromium, driven by playwright-core, against the real server
 * (`npm start`): a person signs in, manages a key through its life, uses the playground, on a
 * desktop and on a phone-sized screen. Assertions read what the page shows, so a console that
 * calls the wrong RPC, drops a field or words an error badly fails here.
 *
 * The main flow loads the console from a static server of its own on another port — another
 * origin than the API, which allows it by `KMS_CORS_ORIGINS` — so every call is a CORS request
 * (preflighted: JSON and an `authorization` header). A second static origin that the API does
 * not allow shows the refusal; the console the KMS server serves itself signs in same-origin,
 * and its Content-Security-Policy keeps a token from going to an origin it does not name.
 */

const ARGS = CHROMIUM_ARGS;
const OUTPUT = SCREENSHOTS;
const WAIT = { timeout: 15_000 };

/** A failure as the console words it: the sentence, then the request id the service sent with it. */
const withRequestId = (sentence: string) =>
  new RegExp(`^${sentence.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(Request id: [0-9a-f-]{36}\\)$`);

/** Named in the KMS server's `KMS_CONSOLE_API_ORIGINS`, to see it in the console's CSP. */
const EXTRA_API_ORIGIN = "https://kms.example.com";

interface StaticConsole {
  /** `http://127.0.0.1:<port>`: another origin than the API's. */
  origin: string;
  /** Starts serving, with `apiOrigin` in the CSP `connect-src` (until then every path is 404). */
  allow(apiOrigin: string): void;
  close(): Promise<void>;
}

/**
 * A static server like a CDN in front of the console: `dist/console` at `/console/` with the same
 * SPA fallback and headers as the KMS server's (the production handler), its CSP naming the API.
 */
async function startStaticConsole(): Promise<StaticConsole> {
  let handler: ReturnType<typeof createConsoleHandler> | undefined;
  const server = http.createServer((req, res) => {
    if (handler && (req.url === "/console" || req.url?.startsWith("/console/"))) return handler(req, res);
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found.\n");
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    allow(apiOrigin) {
      handler = createConsoleHandler({ root: CONSOLE_DIST, apiOrigins: [apiOrigin] });
    },
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

if (!haveChromium && !process.env.CI) {
  console.warn(`console-browser: ${CHROMIUM} is missing (apt-get install -y chromium); skipping outside CI`);
}

// Outside CI a machine without Chromium skips; in CI (`CI` set) the suite runs and fails in beforeAll.
describe.skipIf(!haveChromium && !process.env.CI)("web console in Chromium", () => {
  let server: ServerProcess;
  /** The console's origin in the main flow, allowed by the API's `KMS_CORS_ORIGINS`. */
  let site: StaticConsole;
  /** Another console origin, which the API does not allow. */
  let stranger: StaticConsole;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let keyId = "";
  /** Every request the page made and every console message it logged, since the last `watch()`. */
  let requests: Request[] = [];
  let messages: string[] = [];
  /** CORS preflights (`OPTIONS`), which Playwright's `request` event leaves out; seen over CDP. */
  let preflights: { url: string; origin: string | undefined }[] = [];
  const watch = () => {
    requests = [];
    messages = [];
    preflights = [];
  };
  const toApi = () => requests.filter((r) => r.url().startsWith(`${server.url}/kms.v1.`));

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    site = await startStaticConsole();
    stranger = await startStaticConsole();
    server = await startServer({
      env: { KMS_CORS_ORIGINS: site.origin, KMS_CONSOLE_API_ORIGINS: EXTRA_API_ORIGIN },
    });
    site.allow(server.url);
    stranger.allow(server.url);
    profile = mkdtempSync(join(tmpdir(), "kms-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ARGS,
      headless: true,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("request", (r) => requests.push(r));
    const cdp = await context.newCDPSession(page);
    cdp.on("Network.requestWillBeSent", (e) => {
      if (e.request.method === "OPTIONS") preflights.push({ url: e.request.url, origin: e.request.headers.Origin });
    });
    await cdp.send("Network.enable");
    page.on("console", (m) => messages.push(m.text()));
    mkdirSync(OUTPUT, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    await server?.stop();
    await site?.close();
    await stranger?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const region = (name: string) => page.getByRole("region", { name });
  const stateOf = () => page.locator('dd[data-field="state"]');
  const section = (name: string) =>
    page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name }).click();

  async function textOf(locator: Locator, expected: string | RegExp): Promise<string> {
    await locator.filter({ hasText: expected }).first().waitFor(WAIT);
    return (await locator.first().textContent())?.trim() ?? "";
  }

  async function openKey(id: string): Promise<void> {
    await page.goto(`${site.origin}/console/#/keys/${id}`);
    await page.getByRole("heading", { name: `Key ${id}` }).waitFor(WAIT);
    await stateOf().waitFor(WAIT);
  }

  async function signIn(endpoint: string | undefined, token: string): Promise<void> {
    if (endpoint !== undefined) await page.getByLabel("API endpoint").fill(endpoint);
    await page.getByLabel("Token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  it("offers this page's origin as the API endpoint and refuses one that is not an origin, in words", async () => {
    watch();
    await page.goto(`${site.origin}/console/`);
    expect(await page.getByLabel("API endpoint").inputValue()).toBe(site.origin);
    for (const bad of [`${server.url}/kms.v1`, "ftp://127.0.0.1:21", `${server.url}?x=1`, "kms.example.com"]) {
      await signIn(bad, TEST_ADMIN.token);
      expect(await textOf(page.getByRole("alert"), "origin only")).toBe(
        "Enter the API endpoint as an origin only, like https://kms.example.com or http://127.0.0.1:8080 (no path).",
      );
      expect(await page.getByLabel("API endpoint").getAttribute("aria-invalid")).toBe("true");
    }
    expect(toApi()).toEqual([]);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("shows a wrong token's refusal in words and keeps no token", async () => {
    watch();
    await signIn(server.url, "kms_not-a-real-token-000000000000");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    expect(await textOf(alert, "not accepted")).toMatch(withRequestId("Your token was not accepted. Sign in again."));
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    // The first call across origins was preflighted, and the refusal's CORS headers let the page read it.
    expect(preflights).toEqual([{ url: `${server.url}/kms.v1.KeyService/ListKeys`, origin: site.origin }]);
  });

  it("signs in to the API on another origin with a token (CORS), creates a key and lists it", async () => {
    watch();
    await signIn(server.url, TEST_ADMIN.token);
    await page.getByRole("heading", { name: "Create a key" }).waitFor(WAIT);
    expect(await page.evaluate(() => sessionStorage.getItem("kms-console-token"))).toBe(TEST_ADMIN.token);
    expect(await page.evaluate(() => sessionStorage.getItem("kms-console-endpoint"))).toBe(server.url);
    expect(new URL(page.url()).origin).toBe(site.origin);

    await page.getByLabel("Description").fill("browser test key");
    await page.getByRole("button", { name: "Create key" }).click();
    const created = await textOf(page.getByRole("status"), "Created key");
    keyId = /Created key ([0-9a-f-]{36})\./.exec(created)?.[1] ?? "";
    expect(keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const card = page.locator(`tr[data-key-id="${keyId}"]`);
    await card.waitFor(WAIT);
    expect(await card.locator(".description").textContent()).toBe("browser test key");
    expect(await card.locator('[data-field="state"]').textContent()).toBe("Enabled");

    // The calls crossed origins: the browser sent this page's Origin, and the API answered each
    // with Access-Control-Allow-Origin for it (a missing header would have failed the call).
    const calls = toApi();
    expect(preflights).toContainEqual({ url: `${server.url}/kms.v1.KeyService/CreateKey`, origin: site.origin });
    expect(calls.map((r) => r.url())).toEqual(
      expect.arrayContaining([`${server.url}/kms.v1.KeyService/ListKeys`, `${server.url}/kms.v1.KeyService/CreateKey`]),
    );
    for (const call of calls) {
      expect((await call.allHeaders()).origin).toBe(site.origin);
      const answer = await call.response();
      expect((await answer?.allHeaders())?.["access-control-allow-origin"]).toBe(site.origin);
    }
  });

  it("disables the key, refuses to encrypt with it in words, and enables it again", async () => {
    await page.locator(`tr[data-key-id="${keyId}"] a`).click();
    await page.getByRole("heading", { name: `Key ${keyId}` }).waitFor(WAIT);
    expect(await textOf(stateOf(), "Enabled")).toBe("Enabled");
    expect(await page.locator('dd[data-field="description"]').textContent()).toBe("browser test key");

    await page.getByRole("button", { name: "Disable" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Disable" }).click();
    expect(await textOf(stateOf(), "Disabled")).toBe("Disabled");

    await section("Playground");
    const crypto = region("Encrypt and decrypt");
    await crypto.getByLabel("Key ID or alias").fill(keyId);
    await crypto.getByLabel("Text", { exact: true }).fill("hello");
    await crypto.getByRole("button", { name: "Encrypt" }).click();
    expect(await textOf(crypto.getByRole("alert"), "disabled")).toMatch(
      withRequestId("This key is disabled. Enable it before using it."),
    );
    expect(await crypto.getByLabel("Ciphertext (base64)").inputValue()).toBe("");

    await openKey(keyId);
    await page.getByRole("button", { name: "Enable" }).click();
    expect(await textOf(stateOf(), "Enabled")).toBe("Enabled");
  });

  it("rotates the key: the versions list grows and the new version is primary", async () => {
    const versions = page.locator("#versions > li");
    await versions.first().waitFor(WAIT);
    expect(await versions.count()).toBe(1);
    const first = (await versions.first().locator(".mono").textContent()) ?? "";

    await page.getByRole("button", { name: "Rotate now" }).click();
    await page.getByRole("heading", { name: "Versions (2)" }).waitFor(WAIT);
    expect(await versions.count()).toBe(2);
    const primary = versions.filter({ has: page.locator(".tag") });
    expect(await primary.count()).toBe(1);
    expect(await primary.locator(".mono").textContent()).not.toBe(first);
  });

  it("creates, lists and deletes aliases, and names an existing one in words", async () => {
    await section("Aliases");
    const form = page.getByRole("form", { name: "Create an alias" });
    await form.getByLabel("Alias name").fill("alias/browser-test");
    await form.getByLabel("Key ID").fill(keyId);
    await form.getByRole("button", { name: "Create alias" }).click();
    const row = page.locator('li[data-alias="alias/browser-test"]');
    await row.waitFor(WAIT);
    expect(await row.getByRole("link").textContent()).toBe(keyId);

    await form.getByLabel("Alias name").fill("alias/browser-test");
    await form.getByLabel("Key ID").fill(keyId);
    await form.getByRole("button", { name: "Create alias" }).click();
    expect(await textOf(page.getByRole("alert"), "taken")).toMatch(
      withRequestId("That alias name is already taken. Choose another name or update the alias."),
    );

    await form.getByLabel("Alias name").fill("alias/browser-temp");
    await form.getByLabel("Key ID").fill(keyId);
    await form.getByRole("button", { name: "Create alias" }).click();
    const temp = page.locator('li[data-alias="alias/browser-temp"]');
    await temp.waitFor(WAIT);
    await temp.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await temp.waitFor({ state: "detached", ...WAIT });
    expect(await page.locator("li[data-alias]").count()).toBe(1);

    await openKey(keyId);
    expect(await page.locator("#key-aliases li").allTextContents()).toEqual(["alias/browser-test"]);
  });

  it("encrypts text and decrypts it back, binding the encryption context", async () => {
    await section("Playground");
    const crypto = region("Encrypt and decrypt");
    await crypto.getByLabel("Key ID or alias").fill("alias/browser-test");
    await crypto.getByLabel("Text", { exact: true }).fill("hello");
    await crypto.getByLabel("Encryption context").fill("purpose=browser-test");
    await crypto.getByRole("button", { name: "Encrypt" }).click();
    await textOf(crypto.getByRole("status"), "Encrypted");
    const ciphertext = await crypto.getByLabel("Ciphertext (base64)").inputValue();
    expect(ciphertext).toMatch(/^[A-Za-z0-9+/]{40,}={0,2}$/);
    expect(Buffer.from(ciphertext, "base64").includes(Buffer.from("hello"))).toBe(false);

    await crypto.getByRole("button", { name: "Decrypt" }).click();
    expect(await textOf(crypto.locator("#decrypted"), "hello")).toBe("hello");

    await crypto.getByLabel("Encryption context").fill("purpose=something-else");
    await crypto.getByRole("button", { name: "Decrypt" }).click();
    expect(await textOf(crypto.getByRole("alert"), "could not be decrypted")).toMatch(/^That ciphertext could not/);
    expect(await crypto.locator("#decrypted").textContent()).toBe("");
  });

  it("generates a data key pair and shows its public key PEM", async () => {
    const pair = region("Data key pair");
    await pair.getByLabel("Key ID or alias").fill(keyId);
    await pair.getByRole("button", { name: "Generate key pair" }).click();
    const pem = await textOf(pair.locator("#public-key"), "BEGIN PUBLIC KEY");
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----$/);
    expect(await pair.locator("details").count()).toBe(0);

    await pair.getByLabel("Also return the private key in plaintext").check();
    await pair.getByRole("button", { name: "Generate key pair" }).click();
    await pair.locator("details").waitFor(WAIT);
    expect(await pair.locator("details pre").textContent()).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    await page.screenshot({ path: join(OUTPUT, "console-cross-origin-playground.png"), fullPage: true });
  });

  it("fits a 390 px wide phone screen without horizontal scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(OUTPUT, "console-playground-390.png"), fullPage: true });

    await openKey(keyId);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await section("Keys");
    await page.locator(`tr[data-key-id="${keyId}"]`).waitFor(WAIT);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await section("Aliases");
    await page.locator("li[data-alias]").first().waitFor(WAIT);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(OUTPUT, "console-aliases-390.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("schedules the key's deletion and cancels it", async () => {
    await openKey(keyId);
    await page.getByLabel("Days before deletion (7–30)").fill("7");
    await page.getByRole("button", { name: "Schedule deletion" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Schedule deletion" }).click();
    expect(await textOf(stateOf(), "Pending deletion")).toBe("Pending deletion");
    const deletion = (await page.locator('dd[data-field="deletion"]').textContent()) ?? "";
    expect(deletion).not.toBe("—");
    await page.screenshot({ path: join(OUTPUT, "console-pending-deletion.png"), fullPage: true });

    await page.getByRole("button", { name: "Cancel deletion" }).click();
    expect(await textOf(stateOf(), "Disabled")).toBe("Disabled");
  });

  it("signs out and forgets the token", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Token").waitFor(WAIT);
    expect(await page.evaluate(() => sessionStorage.getItem("kms-console-token"))).toBeNull();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.getByLabel("API endpoint").inputValue()).toBe(server.url);
  });

  it("is refused by CORS from an origin the API does not allow, and says so in words", async () => {
    watch();
    await page.goto(`${stranger.origin}/console/`);
    await signIn(server.url, TEST_ADMIN.token);
    expect(await textOf(page.getByRole("alert"), "cannot be reached")).toBe(
      `The service at ${server.url} cannot be reached from this page. Check the API endpoint; its server must ` +
        `list ${stranger.origin} in KMS_CORS_ORIGINS, and a console served by a KMS server needs ${server.url} ` +
        "in that server's KMS_CONSOLE_API_ORIGINS.",
    );
    expect(preflights).toEqual([{ url: `${server.url}/kms.v1.KeyService/ListKeys`, origin: stranger.origin }]);
    expect(messages.some((m) => m.includes("blocked by CORS policy"))).toBe(true);
    expect(await page.getByRole("heading", { name: "Create a key" }).count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("signs in same-origin to the console the KMS server serves, without CORS", async () => {
    watch();
    const res = await page.goto(`${server.url}/console/`);
    expect(res?.headers()["content-security-policy"]).toContain(`connect-src 'self' ${EXTRA_API_ORIGIN};`);
    expect(await page.getByLabel("API endpoint").inputValue()).toBe(server.url);
    await signIn(undefined, TEST_ADMIN.token);
    await page.locator(`tr[data-key-id="${keyId}"]`).waitFor(WAIT);
    expect(await page.evaluate(() => sessionStorage.getItem("kms-console-endpoint"))).toBe(server.url);
    expect(toApi().length).toBeGreaterThan(0);
    expect(preflights).toEqual([]);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Token").waitFor(WAIT);
  });

  it("keeps the KMS-served console from sending a token to an origin its CSP does not name", async () => {
    watch();
    await page.goto(`${server.url}/console/`);
    await signIn(site.origin, TEST_ADMIN.token);
    await textOf(page.getByRole("alert"), "cannot be reached");
    expect(messages.some((m) => m.includes("Content Security Policy") && m.includes("connect-src"))).toBe(true);
    expect(preflights).toEqual([]);
    expect(requests.filter((r) => r.url().startsWith(site.origin))).toEqual([]);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });
});
