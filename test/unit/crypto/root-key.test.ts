import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadRootKey } from "../../../src/crypto/root-key.js";
import { secureRandom } from "../../../src/crypto/random.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kms-root-key-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadRootKey", () => {
  it("takes KMS_ROOT_KEY as base64 of exactly 32 bytes", async () => {
    const key = secureRandom(32);
    const loaded = await loadRootKey({ rootKey: key.toString("base64"), dataDir: dir });
    expect(loaded.source).toBe("env");
    expect(loaded.key.equals(key)).toBe(true);
  });

  it.each([
    ["31 bytes", Buffer.alloc(31, 1).toString("base64")],
    ["33 bytes", Buffer.alloc(33, 1).toString("base64")],
    ["not base64", "!".repeat(44)],
    ["base64url alphabet", Buffer.alloc(32, 0xfb).toString("base64url")],
    ["missing padding", Buffer.alloc(32, 1).toString("base64").replace(/=+$/, "")],
    [
      "embedded space",
      `${Buffer.alloc(32, 1).toString("base64").slice(0, 20)} ${Buffer.alloc(32, 1).toString("base64").slice(20)}`,
    ],
    ["empty", ""],
  ])("refuses KMS_ROOT_KEY with %s", async (_name, value) => {
    await expect(loadRootKey({ rootKey: value, dataDir: dir })).rejects.toThrow(/KMS_ROOT_KEY/);
  });

  it("reads KMS_ROOT_KEY_FILE (trimmed) and names it when the contents are wrong", async () => {
    const key = secureRandom(32);
    const file = join(dir, "root.key");
    await writeFile(file, `  ${key.toString("base64")}\n`);
    const loaded = await loadRootKey({ rootKeyFile: file, dataDir: dir });
    expect(loaded).toMatchObject({ source: "file", path: file });
    expect(loaded.key.equals(key)).toBe(true);
    await writeFile(file, Buffer.alloc(33).toString("base64"));
    await expect(loadRootKey({ rootKeyFile: file, dataDir: dir })).rejects.toThrow(/KMS_ROOT_KEY_FILE/);
  });

  it("generates a 0600 dev file in a 0700 data dir, then reuses it", async () => {
    const dataDir = join(dir, "nested", "data");
    const first = await loadRootKey({ dataDir });
    expect(first.source).toBe("generated-dev-file");
    expect(first.path).toBe(join(dataDir, "root-key.dev"));
    expect((await stat(first.path!)).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect(Buffer.from((await readFile(first.path!, "utf8")).trim(), "base64").equals(first.key)).toBe(true);
    const second = await loadRootKey({ dataDir });
    expect(second.source).toBe("existing-dev-file");
    expect(second.key.equals(first.key)).toBe(true);
  });

  it("gives every concurrent starter the same dev key", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => loadRootKey({ dataDir: dir })));
    expect(results.filter((r) => r.source === "generated-dev-file")).toHaveLength(1);
    for (const r of results) {
      expect(r.key.equals(results[0]!.key)).toBe(true);
    }
  });

  it("prefers KMS_ROOT_KEY over the file and the dev key", async () => {
    const key = secureRandom(32);
    const loaded = await loadRootKey({
      rootKey: key.toString("base64"),
      rootKeyFile: join(dir, "absent"),
      dataDir: dir,
    });
    expect(loaded.key.equals(key)).toBe(true);
  });
});
