import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKmsClient } from "../../src/client/index.js";
import { CSI, kmsInPty, runInPty } from "../helpers/pty.js";
import { KMS_BIN } from "../helpers/security.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * Issue 19's "CLI with manners", checked as a person meets it: commands run in a pseudo-terminal
 * (`script`, test/helpers/pty.ts) for help, colour, tables and Ctrl-C, and through pipes for what
 * scripts see. Exit codes and the stable phrases of the one-line messages are asserted.
 */

let server: ServerProcess;
let dir: string;
let keyId: string;
let env: Record<string, string>;

interface Piped {
  code: number | null;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
}

/** `kms …args` with pipes for stdin, stdout and stderr (what a script sees), `stdin` then EOF. */
function piped(args: string[], extraEnv: Record<string, string> = env, stdin?: Buffer): Promise<Piped> {
  const child = spawn(process.execPath, [KMS_BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/", ...extraEnv },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin.end(stdin ?? Buffer.alloc(0));
  return new Promise((res, rej) => {
    child.once("error", rej);
    child.once("close", (code) => {
      const stdoutBytes = Buffer.concat(out);
      res({ code, stdout: stdoutBytes.toString(), stdoutBytes, stderr });
    });
  });
}

const pty = (args: string[], extraEnv: Record<string, string> = env) => runInPty(args, { cwd: dir, env: extraEnv });

/** Polls `check` every 25 ms until it is true (or fails the test after `ms`). */
async function until(check: () => boolean, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const partials = (d: string) => readdirSync(d).filter((f) => f.endsWith(".partial"));

/** The machine running these may be heavily loaded: each `kms` process can take many seconds to start. */
const SLOW = { timeout: 300_000 };

beforeAll(async () => {
  server = await startServer({ timeoutMs: 180_000 });
  dir = mkdtempSync(join(tmpdir(), "kms-cli-tty-"));
  env = { KMS_ENDPOINT: server.url, KMS_TOKEN: TEST_ADMIN.token };
  const client = createKmsClient({ baseUrl: server.url, token: TEST_ADMIN.token });
  keyId = (await client.keys.createKey({ description: "cli terminal" })).key!.keyId;
}, SLOW.timeout);

afterAll(async () => {
  await server?.stop();
});

describe.concurrent("help and mistakes, typed at a terminal", SLOW, () => {
  it("kms -h and kms --help both print the command list and exit 0", async () => {
    const [short, long] = await Promise.all([pty(["-h"]), pty(["--help"])]);
    expect(short.code).toBe(0);
    expect(long.code).toBe(0);
    expect(short.screen).toBe(long.screen);
    for (const command of ["encrypt", "keys", "aliases", "policy", "grants", "principal", "audit", "completion"]) {
      expect(short.screen).toContain(`  ${command} `);
    }
  });

  it.each([
    [["encrypt", "--help"], "usage: kms encrypt --key-id KEY"],
    [["decrypt", "-h"], "usage: kms decrypt"],
    [["keys", "list", "--help"], "usage: kms keys SUBCOMMAND"],
    [["principal", "--help"], "usage: kms principal SUBCOMMAND"],
    [["help", "grants"], "usage: kms grants SUBCOMMAND"],
  ])("kms %j prints that command's help and exits 0", async (args, first) => {
    const r = await pty(args);
    expect(r.code).toBe(0);
    expect(r.screen.startsWith(first)).toBe(true);
    // Not the server's options (the old `kms principal --help` printed those).
    expect(r.screen).not.toContain("--keypair-pool");
  });

  it("kms bogus names the command, in one red-prefixed line, exit 2", async () => {
    const r = await pty(["bogus"]);
    expect(r.code).toBe(2);
    expect(r.screen).toContain(`${CSI}31mkms:${CSI}0m unknown command "bogus"`);
    expect(r.screen.trimEnd().split("\r\n")).toHaveLength(1);
  });

  it("the same mistake through a pipe, or with NO_COLOR, has no escape codes", async () => {
    const [viaPipe, noColor] = await Promise.all([piped(["bogus"]), pty(["bogus"], { ...env, NO_COLOR: "1" })]);
    expect(viaPipe.code).toBe(2);
    expect(viaPipe.stderr).toBe('kms: unknown command "bogus"; kms --help lists the commands\n');
    expect(noColor.screen).not.toContain(CSI);
    expect(noColor.screen).toContain('kms: unknown command "bogus"');
  });

  it("kms principal alone prints its usage (exit 2) and never looks for a database", async () => {
    const r = await piped(["principal"], { ...env, KMS_DATA_DIR: join(dir, "nowhere") });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing subcommand");
    expect(r.stderr).toContain("kms principal create NAME");
    expect(r.stderr).not.toContain("database");
  });

  it("an admin command's failure is one plain line, not a JSON log line as well", async () => {
    const r = await piped(["principal", "list", "--data-dir", join(dir, "empty")]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")).toEqual([expect.stringMatching(/^kms: there is no database at /), ""]);
    expect(r.stdout).toBe("");
  });

  it("an admin command beside the running server (dev root key) prints no JSON warning", async () => {
    const r = await piped(["principal", "create", "terminal-user", "--data-dir", server.dataDir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: "terminal-user", admin: false });
  });

  it("keys list is a table with a bold header at a terminal, and JSON through a pipe", async () => {
    const [atTerminal, throughPipe] = await Promise.all([pty(["keys", "list"]), piped(["keys", "list"])]);
    expect(atTerminal.code).toBe(0);
    expect(atTerminal.screen.startsWith(`${CSI}1mKEY ID `)).toBe(true);
    expect(atTerminal.screen).toMatch(/KEY ID +STATE +SPEC +USAGE +CREATED +DESCRIPTION/);
    expect(atTerminal.screen).toMatch(
      new RegExp(`\\r\\n${keyId} +ENABLED +AES_256 +ENCRYPT_DECRYPT .* cli terminal\\r\\n`),
    );
    expect(throughPipe.code).toBe(0);
    expect(JSON.parse(throughPipe.stdout).keys.map((k: { keyId: string }) => k.keyId)).toContain(keyId);
  });
});

describe("interrupting kms encrypt / kms decrypt", SLOW, () => {
  it("Ctrl-C during a large encrypt: exit 130, one line, and no partial or output file", async () => {
    const work = join(dir, "ctrl-c");
    mkdirSync(work);
    // 1 GiB, sparse: large enough to be mid-way when the key is pressed, and cheap to make.
    writeFileSync(join(work, "big.bin"), "");
    truncateSync(join(work, "big.bin"), 1024 ** 3);
    const session = kmsInPty(["encrypt", "--key-id", keyId, "-i", "big.bin", "-o", "big.kms"], { cwd: work, env });
    await until(() => partials(work).length === 1, "the partial output file");
    session.type("\u0003");
    const code = await session.exited;
    session.child.stdin!.destroy();
    expect(code).toBe(130);
    expect(session.screen()).toContain(`${CSI}31mkms:${CSI}0m interrupted by SIGINT`);
    expect(readdirSync(work).sort()).toEqual(["big.bin"]);
  });

  it("SIGTERM during a decrypt waiting for more input: exit 143, and the partial plaintext is gone", async () => {
    const work = join(dir, "sigterm");
    mkdirSync(work);
    const plain = randomBytes(1024 * 1024);
    const enc = await piped(["encrypt", "--key-id", keyId], env, plain);
    expect(enc.code).toBe(0);
    const envelope = enc.stdoutBytes;
    const child = spawn(process.execPath, [KMS_BIN, "decrypt", "-o", "plain.out"], {
      cwd: work,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin.on("error", () => {}); // EPIPE once the command has exited
    const exited = new Promise<number | null>((res) => child.once("close", (code) => res(code)));
    child.stdin.write(envelope.subarray(0, envelope.length >> 1));
    await until(() => partials(work).length === 1, "the partial output file");
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(stderr).toBe("kms: interrupted by SIGTERM; no partial output was kept\n");
    expect(readdirSync(work)).toEqual([]);
  });
});

describe("a closed pipe", SLOW, () => {
  it("kms decrypt | a reader that stops early: exit 141, no error line, no file left", async () => {
    const work = join(dir, "pipe");
    mkdirSync(work);
    const enc = await piped(["encrypt", "--key-id", keyId], env, randomBytes(4 * 1024 * 1024));
    expect(enc.code).toBe(0);
    writeFileSync(join(work, "data.kms"), enc.stdoutBytes);
    const child = spawn(process.execPath, [KMS_BIN, "decrypt", "-i", "data.kms"], {
      cwd: work,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // As `| head -c 1` does: read one chunk, then close the pipe.
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((res) => child.once("close", (c) => res(c)));
    expect(code).toBe(141);
    expect(stderr).toBe("");
    expect(readdirSync(work)).toEqual(["data.kms"]);
  });
});

describe.concurrent("-o mistakes: one line each, nothing lost", SLOW, () => {
  it("-o into a missing directory", async () => {
    writeFileSync(join(dir, "a.txt"), "plaintext a");
    const r = await piped(["encrypt", "--key-id", keyId, "-i", "a.txt", "-o", "missing/a.kms"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("kms: -o missing/a.kms: the directory missing does not exist\n");
    expect(existsSync(join(dir, "missing"))).toBe(false);
  });

  it("-o naming a directory", async () => {
    mkdirSync(join(dir, "outdir"));
    writeFileSync(join(dir, "b.txt"), "plaintext b");
    const r = await piped(["encrypt", "--key-id", keyId, "-i", "b.txt", "-o", "outdir"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("kms: -o outdir is a directory; name a file in it\n");
    expect(readdirSync(join(dir, "outdir"))).toEqual([]);
  });

  it("-i f -o f (also spelled ./f) leaves the plaintext as it was", async () => {
    writeFileSync(join(dir, "c.txt"), "plaintext c");
    const [same, spelled] = await Promise.all([
      piped(["encrypt", "--key-id", keyId, "-i", "c.txt", "-o", "c.txt"]),
      piped(["decrypt", "-i", "c.txt", "-o", "./c.txt"]),
    ]);
    for (const r of [same, spelled]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^kms: -i and -o name the same file \(\.?\/?c\.txt\)/);
      expect(r.stderr.split("\n")).toHaveLength(2);
    }
    expect(readFileSync(join(dir, "c.txt"), "utf8")).toBe("plaintext c");
  });
});

describe.concurrent("kms completion", SLOW, () => {
  it("the bash script completes commands and subcommands", async () => {
    const script = await piped(["completion", "bash"]);
    expect(script.code).toBe(0);
    writeFileSync(join(dir, "kms.bash"), script.stdout);
    const complete = (words: string) =>
      new Promise<string>((res, rej) => {
        const sh = spawn(
          "bash",
          [
            "-c",
            `source ${join(dir, "kms.bash")}; COMP_WORDS=(${words}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _kms; echo "\${COMPREPLY[@]}"`,
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let out = "";
        sh.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        sh.once("error", rej);
        sh.once("close", () => res(out.trim()));
      });
    expect(await complete("kms compl")).toBe("completion");
    expect(await complete("kms keys sch")).toBe("schedule-deletion");
    expect((await complete("kms grants create k --")).split(" ")).toContain("--operations");
  });

  it("zsh has a script too; another shell is a usage mistake", async () => {
    const [zsh, fish] = await Promise.all([piped(["completion", "zsh"]), piped(["completion", "fish"])]);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toContain("compdef _kms kms");
    expect(fish.code).toBe(2);
  });
});

describe.concurrent("kms audit verify --expect-head, beside the running server", SLOW, () => {
  const hex = (c: string) => c.repeat(64);

  it("a value that is not a hash is not a head of this chain (exit 2)", async () => {
    const r = await piped(["audit", "verify", "--data-dir", server.dataDir, "--expect-head", "deadbeef"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a head of this chain");
    expect(r.stderr).not.toContain("deleted");
  });

  it("SEQ:HASH past the chain's end: records were deleted", async () => {
    const r = await piped(["audit", "verify", "--data-dir", server.dataDir, "--expect-head", `999999:${hex("a")}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^audit chain broken at record \d+: records were deleted: the chain ends at seq \d+/);
  });

  it("SEQ:HASH of a record that has another hash: not a head of this chain", async () => {
    const r = await piped(["audit", "verify", "--data-dir", server.dataDir, "--expect-head", `1:${hex("b")}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^the expected head is not a head of this chain: record 1 has another hash/);
    expect(r.stdout).not.toContain("deleted");
  });
});
