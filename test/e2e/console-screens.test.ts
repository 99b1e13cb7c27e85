import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Locator, type Page, type Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY_USAGES } from "../../src/domain/algorithms.js";
import { KEY_SPEC_NAMES, KEY_SPECS, specRow } from "../../src/domain/specs.js";
import { KeySpec } from "../../gen/kms/v1/types_pb.js";
import { createKmsClient } from "../../src/client/node.js";
import type { KmsClient } from "../../src/client/index.js";
import { CHROMIUM, CHROMIUM_ARGS, haveChromium, SCREENSHOTS } from "../helpers/chromium.js";
import { ADMIN_AUTH, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * Every screen of the web console in Chromium against the real server (the console it serves
 * itself, same origin): the keys table (search, filters, newest first, a new key on page one),
 * key detail (policy editor refusing a bad policy, grants created and revoked, tags, rotation,
 * confirmations), principals (credentials shown once, deletion), the audit trail showing the
 * console's own calls, and the dashboard's request counter rising while the test calls the API.
 * Each screen is photographed at 1280×800 and 390×844 into test-results/console/.
 */

const WAIT = { timeout: 15_000 };
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

describe.skipIf(!haveChromium && !process.env.CI)("web console screens in Chromium", () => {
  let server: ServerProcess;
  let api: KmsClient;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let newKeyId = "";
  let requests: Request[] = [];
  /** Uncaught errors in the page: none may happen. */
  const errors: string[] = [];
  const calls = (method: string) => requests.filter((r) => r.url().endsWith(`/${method}`));

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    // A small pool (the helper turns it off by default), so the dashboard's pool region is drawn.
    server = await startServer({ env: { KMS_KEYPAIR_POOL: "EC_P256=4" } });
    api = createKmsClient({ baseUrl: server.url, token: TEST_ADMIN.token, retry: false });
    // More keys than one page of the table holds, one of them easy to find by alias and by tag.
    for (let i = 0; i < 22; i++) await api.keys.createKey({ description: `bulk key ${i}` });
    const { key } = await api.keys.createKey({ description: "findable", tags: { team: "payments" } });
    await api.keys.createAlias({ aliasName: "alias/findme", keyId: key!.keyId });
    await api.keys.createKey({ keySpec: KeySpec.EC_P256, keyUsage: 2, description: "an EC key" });
    await api.admin.createPrincipal({ name: "bob" });
    profile = mkdtempSync(join(tmpdir(), "kms-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: DESKTOP,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on("request", (r) => requests.push(r));
    page.on("pageerror", (e) => errors.push(String(e)));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    expect(errors).toEqual([]);
    await context?.close();
    await server?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const dialog = () => page.getByRole("dialog");
  const section = (name: string) =>
    page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name, exact: true }).click();
  async function textOf(locator: Locator, expected: string | RegExp): Promise<string> {
    await locator
      .filter({ hasText: expected })
      .first()
      .waitFor(WAIT)
      .catch(async (err: Error) => {
        const seen = await locator.allTextContents();
        const alerts = await page.getByRole("alert").allTextContents();
        throw new Error(
          `${err.message}\nthe locator shows: ${JSON.stringify(seen)}; alerts: ${JSON.stringify(alerts)}`,
        );
      });
    return (await locator.filter({ hasText: expected }).first().textContent())?.trim() ?? "";
  }
  /** Waits until the first chart has `n` points (the dashboard polls every 2 s). */
  const chartPoints = (n: number) =>
    page.waitForFunction(
      (min) => Number((document.querySelector(".chart") as HTMLElement | null)?.dataset.points) >= min,
      n,
      {
        timeout: 20_000,
      },
    );
  const rows = () => page.locator("#key-table tbody tr[data-key-id]");
  async function openKey(id: string): Promise<void> {
    await page.goto(`${server.url}/console/#/keys/${id}`);
    await page.locator('dd[data-field="state"]').waitFor(WAIT);
  }

  it("signs in, says who is signed in, and names the data directory's setting instead of a fixed path", async () => {
    await page.goto(`${server.url}/console/`);
    const intro = (await page.locator("form.sign-in p").first().textContent()) ?? "";
    expect(intro).toContain("KMS_DATA_DIR");
    expect(intro).not.toContain("data/admin-credentials.json");
    await page.screenshot({ path: join(SCREENSHOTS, "sign-in-1280.png") });
    await page.getByLabel("Token").fill(TEST_ADMIN.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await textOf(page.locator("#signed-in-as"), "Signed in as")).toBe("Signed in as admin (admin)");
  });

  it("offers only the usages a key type allows, from the key-spec catalogue", async () => {
    const form = page.getByRole("form", { name: "Create a key" });
    expect(await form.getByLabel("Key type").locator("option").allTextContents()).toEqual(
      KEY_SPEC_NAMES.map((s) => specRow(s).label),
    );
    for (const spec of ["AES_256", "RSA_2048", "EC_P256", "EC_P521", "ED25519", "EC_P256K", "HMAC_384"] as const) {
      await form.getByLabel("Key type").selectOption({ label: specRow(spec).label });
      const offered = await form.getByLabel("Usage").locator("option").allTextContents();
      expect(offered).toEqual(KEY_SPECS[spec].usages.map((u) => KEY_USAGES[u].label));
    }
    expect(await form.getByLabel("Usage").locator("option").allTextContents()).toEqual(["Generate and verify MAC"]);
    await form.getByLabel("Key type").selectOption({ label: specRow("AES_256").label });
  });

  it("puts a new key first in the table (newest first) with its id as a link, past the first page of keys", async () => {
    await rows().first().waitFor(WAIT);
    expect(await page.locator("#key-table thead th").allTextContents()).toEqual([
      "Key",
      "Alias",
      "Type",
      "Usage",
      "State",
      "Created",
    ]);
    expect(await rows().count()).toBe(20);
    await page.getByLabel("Description").fill("made in the console");
    const answer = page.waitForResponse((r) => r.url().endsWith("/CreateKey"));
    await page.getByRole("button", { name: "Create key" }).click();
    newKeyId = JSON.parse(await (await answer).text()).key.keyId;
    const link = page.getByRole("status").getByRole("link", { name: newKeyId });
    await link.waitFor(WAIT);
    expect(await rows().first().getAttribute("data-key-id")).toBe(newKeyId);
    expect(await textOf(page.locator("p.meta"), "keys")).toBe("25 of 25 keys");
    await page.getByRole("button", { name: "Next" }).click();
    expect(await rows().count()).toBe(5);
    await page.getByRole("button", { name: "Previous" }).click();
    await page.screenshot({ path: join(SCREENSHOTS, "keys-1280.png"), fullPage: true });
    await link.click();
    await page.getByRole("heading", { name: `Key ${newKeyId}` }).waitFor(WAIT);
    await page.goBack();
    await rows().first().waitFor(WAIT);
  });

  it("finds keys by alias, tag, description and id, and filters by type, usage and state", async () => {
    const search = page.getByLabel("Search");
    const ids = async () => rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-key-id")));
    await search.fill("findme");
    expect(await rows().count()).toBe(1);
    expect(await rows().first().locator('[data-field="aliases"]').textContent()).toBe("alias/findme");
    const findable = (await ids())[0];
    await search.fill("team=payments");
    expect(await ids()).toEqual([findable]);
    await search.fill("MADE IN THE");
    expect(await ids()).toEqual([newKeyId]);
    await search.fill(newKeyId.slice(0, 13));
    expect(await ids()).toEqual([newKeyId]);
    await search.fill("");
    await page
      .getByLabel("Key type", { exact: true })
      .last()
      .selectOption({ label: specRow("EC_P256").label });
    expect(await rows().count()).toBe(1);
    expect(await rows().first().locator("td").nth(2).textContent()).toBe(specRow("EC_P256").label);
    await page.getByLabel("Key type", { exact: true }).last().selectOption({ label: "Any type" });
    await page.getByLabel("Usage", { exact: true }).last().selectOption({ label: "Sign and verify" });
    expect(await rows().count()).toBe(1);
    await page.getByLabel("Usage", { exact: true }).last().selectOption({ label: "Any usage" });
    await page.getByLabel("State").selectOption({ label: "Disabled" });
    expect(await page.locator("#key-table tbody").textContent()).toBe("No key matches.");
    await page.getByLabel("State").selectOption({ label: "Any state" });
    await page.getByLabel("Sort by created").selectOption({ label: "Oldest first" });
    expect(await rows().last().getAttribute("data-key-id")).not.toBe(newKeyId);
    expect((await ids()).includes(newKeyId)).toBe(false);
  });

  it("shows a key that does not exist as an error with its request id, and no endless Loading", async () => {
    const missing = randomUUID();
    await page.goto(`${server.url}/console/#/keys/${missing}`);
    const alert = await textOf(page.getByRole("alert"), "does not exist");
    expect(alert).toMatch(/^That key or alias does not exist\. \(Request id: [0-9a-f-]{36}\)$/);
    expect(await page.getByText("Loading…").count()).toBe(0);
    expect(await page.getByText("This key could not be shown.").count()).toBe(1);
  });

  it("refuses a policy that is not JSON or not a valid policy before sending it, and saves a good one", async () => {
    await openKey(newKeyId);
    const policy = page.getByLabel("Policy (JSON)");
    await expect.poll(() => policy.inputValue(), WAIT).toContain('"Statement"');
    const region = page.getByRole("region", { name: "Key policy" });
    requests = [];
    await policy.fill('{"Statement": [');
    await region.getByRole("button", { name: "Save policy" }).click();
    expect(await textOf(region.getByRole("alert"), "not valid JSON")).toMatch(/^The policy is not valid JSON: /);
    await policy.fill('{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "kms:Encrypt"}]}');
    await region.getByRole("button", { name: "Save policy" }).click();
    expect(await textOf(region.getByRole("alert"), "Effect")).toMatch(/^The key policy is invalid: .*Effect/);
    expect(await policy.getAttribute("aria-invalid")).toBe("true");
    expect(calls("PutKeyPolicy")).toEqual([]);

    const good = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { KMS: ["admin"] }, Action: "kms:*" },
        { Effect: "Allow", Principal: { KMS: ["bob"] }, Action: ["kms:Encrypt", "kms:DescribeKey"] },
      ],
    };
    await policy.fill(JSON.stringify(good, null, 2));
    await region.getByRole("button", { name: "Save policy" }).click();
    expect(await textOf(region.getByRole("status"), "saved")).toBe("The policy is saved.");
    expect(JSON.parse((await api.keys.getKeyPolicy({ keyId: newKeyId })).policy)).toEqual(good);
  });

  it("creates a grant with operations and a context constraint, then revokes it after a confirmation", async () => {
    const form = page.getByRole("form", { name: "Create a grant" });
    await form.getByLabel("Grantee principal").fill("bob");
    await form.getByLabel("Encrypt", { exact: true }).check();
    await form.getByLabel("Decrypt", { exact: true }).check();
    await form.getByLabel("Pairs, one name=value per line (optional)").fill("purpose=console-test");
    await form.getByRole("button", { name: "Create grant" }).click();
    const card = page.locator('li[data-grantee="bob"]');
    await card.waitFor(WAIT);
    expect(await card.textContent()).toContain("Context must include: purpose=console-test");
    expect((await page.locator("#grant-token").textContent())?.length).toBeGreaterThan(16);
    const { grants } = await api.keys.listGrants({ keyId: newKeyId });
    expect(grants.map((g) => [g.granteePrincipal, g.operations, g.constraints?.encryptionContextSubset])).toEqual([
      ["bob", ["Decrypt", "Encrypt"], { purpose: "console-test" }],
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, "key-detail-1280.png"), fullPage: true });

    await card.getByRole("button", { name: "Revoke" }).click();
    await dialog().getByRole("button", { name: "Cancel" }).click();
    expect((await api.keys.listGrants({ keyId: newKeyId })).grants).toHaveLength(1);
    await card.getByRole("button", { name: "Revoke" }).click();
    await dialog().getByRole("button", { name: "Revoke" }).click();
    await card.waitFor({ state: "detached", ...WAIT });
    expect((await api.keys.listGrants({ keyId: newKeyId })).grants).toEqual([]);
  });

  it("adds and removes tags and turns on automatic rotation with a period", async () => {
    await page.getByLabel("Tag key").fill("env");
    await page.getByLabel("Tag value").fill("prod");
    await page.getByRole("button", { name: "Add tag" }).click();
    await page.locator('li[data-tag="env"]').waitFor(WAIT);
    await page.getByLabel("Tag key").fill("tmp");
    await page.getByLabel("Tag value").fill("x");
    await page.getByRole("button", { name: "Add tag" }).click();
    await page.getByRole("button", { name: "Remove tag tmp" }).click();
    await dialog().getByRole("button", { name: "Remove" }).click();
    await page.locator('li[data-tag="tmp"]').waitFor({ state: "detached", ...WAIT });
    await page.getByLabel("Rotate automatically").check();
    await page.getByLabel("Every (days, 90–2560)").fill("180");
    await page.getByRole("button", { name: "Save rotation" }).click();
    expect(await textOf(page.locator('[data-field="rotation"]'), "every 180 days")).toMatch(
      /^Automatic rotation is on/,
    );
    const { key } = await api.keys.describeKey({ keyId: newKeyId });
    expect([key?.tags, key?.automaticRotation, key?.rotationPeriodDays]).toEqual([{ env: "prod" }, true, 180]);
  });

  it("asks before scheduling deletion: Escape keeps the key, confirming schedules it", async () => {
    requests = [];
    await page.getByRole("button", { name: "Schedule deletion" }).click();
    expect(
      await dialog()
        .getByRole("button", { name: "Cancel" })
        .evaluate((b) => b === document.activeElement),
    ).toBe(true);
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached", ...WAIT });
    expect(calls("ScheduleKeyDeletion")).toEqual([]);
    expect(await page.locator('dd[data-field="state"]').textContent()).toBe("Enabled");
    await page.getByRole("button", { name: "Schedule deletion" }).click();
    await dialog().getByRole("button", { name: "Schedule deletion" }).click();
    expect(await textOf(page.locator('dd[data-field="state"]'), "Pending")).toBe("Pending deletion");
    await page.getByRole("button", { name: "Cancel deletion" }).click();
    expect(await textOf(page.locator('dd[data-field="state"]'), "Disabled")).toBe("Disabled");
    await page.getByRole("button", { name: "Enable" }).click();
    expect(await textOf(page.locator('dd[data-field="state"]'), "Enabled")).toBe("Enabled");
  });

  it("says what to type instead of a regular expression, and asks before deleting an alias", async () => {
    await section("Aliases");
    const form = page.getByRole("form", { name: "Create an alias" });
    await form.getByLabel("Alias name").fill("alias/has spaces");
    await form.getByLabel("Key ID").fill(newKeyId);
    await form.getByRole("button", { name: "Create alias" }).click();
    const alert = await textOf(page.getByRole("alert"), "Check what you entered");
    expect(alert).toMatch(/^Check what you entered: an alias name is alias\/ followed by letters/);
    expect(alert).toMatch(/\(Request id: [0-9a-f-]{36}\)$/);
    expect(alert).not.toContain("[a-zA-Z0-9");

    await form.getByLabel("Alias name").fill("alias/console-temp");
    await form.getByRole("button", { name: "Create alias" }).click();
    const row = page.locator('li[data-alias="alias/console-temp"]');
    await row.waitFor(WAIT);
    await row.getByRole("button", { name: "Delete" }).click();
    await dialog().getByRole("button", { name: "Cancel" }).click();
    expect((await api.keys.listAliases({ keyId: newKeyId })).aliases.map((a) => a.aliasName)).toEqual([
      "alias/console-temp",
    ]);
    // By keyboard alone: Enter on Delete opens the dialog with Cancel focused; Tab, Enter confirms.
    await row.getByRole("button", { name: "Delete" }).focus();
    await page.keyboard.press("Enter");
    await dialog().waitFor(WAIT);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Delete");
    await page.keyboard.press("Enter");
    await row.waitFor({ state: "detached", ...WAIT });
    expect((await api.keys.listAliases({ keyId: newKeyId })).aliases).toEqual([]);
  });

  it("generates a data key pair and shows the iv and algorithm Decrypt needs, which decrypt it", async () => {
    await section("Playground");
    const pair = page.getByRole("region", { name: "Data key pair" });
    await pair.getByLabel("Key ID or alias").fill(newKeyId);
    await pair.getByRole("button", { name: "Generate key pair" }).click();
    const iv = await textOf(pair.locator('[data-field="iv"] .mono'), /.+/);
    const algorithm = await textOf(pair.locator('[data-field="algorithm"] .mono'), /.+/);
    const wrapped = await textOf(pair.locator("#private-key-ciphertext"), /.+/);
    expect(Buffer.from(iv, "base64")).toHaveLength(12);
    expect(algorithm).toBe("AES_GCM");
    const plain = await api.crypto.decrypt({
      keyId: newKeyId,
      ciphertextBlob: Buffer.from(wrapped, "base64"),
      iv: Buffer.from(iv, "base64"),
      algorithm,
    });
    expect(Buffer.from(plain.plaintext).toString()).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await pair.getByRole("button", { name: "Copy IV" }).count()).toBe(1);
  });

  it("creates a principal, shows its credentials once with copy buttons and a warning, and deletes it", async () => {
    await section("Principals");
    await page.getByLabel("Name", { exact: true }).fill("carol");
    await page.getByRole("button", { name: "Create principal" }).click();
    const token = await textOf(page.locator("#new-token"), /.+/);
    expect(await page.getByRole("note").textContent()).toMatch(/shown only once/);
    for (const what of ["bearer token", "access key id", "secret access key"]) {
      expect(
        await page
          .getByRole("group", { name: "New credentials" })
          .getByRole("button", { name: `Copy ${what}` })
          .count(),
      ).toBe(1);
    }
    const carol = createKmsClient({ baseUrl: server.url, token, retry: false });
    expect((await carol.admin.getCallerIdentity({})).name).toBe("carol");
    await page.locator('li[data-principal="carol"]').waitFor(WAIT);
    expect(await page.locator('li[data-principal="admin"]').getByRole("button", { name: "Delete" }).isDisabled()).toBe(
      true,
    );
    await page.screenshot({ path: join(SCREENSHOTS, "principals-1280.png"), fullPage: true });

    await page.locator('li[data-principal="carol"]').getByRole("button", { name: "Delete" }).click();
    await dialog().getByRole("button", { name: "Delete" }).click();
    await page.locator('li[data-principal="carol"]').waitFor({ state: "detached", ...WAIT });
    await expect(carol.admin.getCallerIdentity({})).rejects.toMatchObject({ reason: "UnrecognizedClientException" });
  });

  it("shows the console's own calls in the audit trail, filtered, and the chain as intact", async () => {
    const created = requests.find((r) => r.url().endsWith("/CreatePrincipal"));
    const requestId = (await created?.response())?.headers()["x-request-id"] ?? "missing";
    await section("Audit");
    expect(await textOf(page.locator('[data-field="chain"]'), "Intact")).toBe("Intact");
    await page.getByLabel("Principal").fill("admin");
    await page.getByLabel("Operation").fill("CreatePrincipal");
    const filtered = page.waitForResponse((r) => r.url().endsWith("/ListAuditRecords"));
    await page.getByRole("button", { name: "Show records" }).click();
    await filtered;
    const row = page.locator(`tr[data-request-id="${requestId}"]`);
    await row.waitFor(WAIT);
    expect(await row.locator('[data-field="outcome"]').textContent()).toBe("OK");
    // The console's call and the one that made bob before the browser started.
    expect(await page.locator("#audit-results tbody tr td:nth-child(4)").allTextContents()).toEqual([
      "AdminService/CreatePrincipal",
      "AdminService/CreatePrincipal",
    ]);
    await page.getByLabel("Operation").fill("");
    await page.getByLabel("Key ID").fill(newKeyId);
    const byKey = page.waitForResponse((r) => r.url().endsWith("/ListAuditRecords"));
    await page.getByRole("button", { name: "Show records" }).click();
    await byKey;
    await page.locator("#audit-results tbody tr").nth(5).waitFor(WAIT);
    const ops = await page.locator("#audit-results tbody tr td:nth-child(4)").allTextContents();
    expect(ops).toContain("KeyService/PutKeyPolicy");
    expect(ops).toContain("KeyService/RevokeGrant");
    await page.screenshot({ path: join(SCREENSHOTS, "audit-1280.png"), fullPage: true });
  });

  it("draws the dashboard from /metrics and its request counter rises while the test calls the API", async () => {
    await section("Dashboard");
    const counter = page.locator('[data-field="requests-total"]');
    await counter.filter({ hasText: /^\d+$/ }).waitFor(WAIT);
    const before = Number(await counter.textContent());
    for (let i = 0; i < 15; i++) await api.keys.describeKey({ keyId: newKeyId });
    await page.waitForFunction(
      (min) => Number(document.querySelector('[data-field="requests-total"]')?.textContent) >= min,
      before + 15,
      WAIT,
    );
    await page.locator(".chart canvas").first().waitFor(WAIT);
    expect(await page.locator(".chart-card").count()).toBe(5);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: ADMIN_AUTH })).text();
    expect(metrics).toMatch(/^kms_keypair_pool_depth\{spec="EC_P256"\} /m);
    expect(await page.getByRole("region", { name: "Key-pair pool" }).isVisible()).toBe(true);
    await chartPoints(2);
    const drawn = await page.locator(".chart").first().getAttribute("aria-label");
    expect(drawn).toMatch(/^Requests per second by operation: .*DescribeKey \d/);
  });

  it("fits every screen on a 390 px phone and photographs each at both sizes", async () => {
    const screens: [string, string, () => Promise<unknown>][] = [
      ["keys", "#/keys", () => rows().first().waitFor(WAIT)],
      ["key-detail", `#/keys/${newKeyId}`, () => page.locator("#grant-list").waitFor(WAIT)],
      ["aliases", "#/aliases", () => page.locator("li[data-alias]").first().waitFor(WAIT)],
      ["principals", "#/principals", () => page.locator("li[data-principal]").first().waitFor(WAIT)],
      ["audit", "#/audit", () => page.locator("#audit-results tbody tr").first().waitFor(WAIT)],
      ["dashboard", "#/dashboard", () => chartPoints(2)],
      ["playground", "#/playground", () => page.getByRole("region", { name: "Data key pair" }).waitFor(WAIT)],
    ];
    for (const [size, viewport] of [
      ["390", PHONE],
      ["1280", DESKTOP],
    ] as const) {
      await page.setViewportSize(viewport);
      for (const [name, route, ready] of screens) {
        await page.goto(`${server.url}/console/${route}`);
        await ready();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect([name, size, overflow <= 0]).toEqual([name, size, true]);
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
      }
    }
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.setViewportSize(PHONE);
    await page.getByLabel("Token").waitFor(WAIT);
    await page.screenshot({ path: join(SCREENSHOTS, "sign-in-390.png") });
  });
});
