import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PassThrough, Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Interceptor } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDecryptStream,
  createEncryptStream,
  createKmsClient,
  decryptEnvelope,
  encryptEnvelope,
  type KmsClient,
  KmsClientError,
} from "../../src/client/index.js";
import { ROOT, type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * Envelope encryption (`src/client/envelope*.ts`, `docs/envelope-format.md`) against the real
 * server: round trips from 0 B to 64 MiB in bounded memory, and every way of altering an
 * envelope — any byte, truncation, reordering, duplication, appending, a wrong context — fails
 * with the one `InvalidCiphertextException` error and releases no unauthenticated plaintext.
 */

const MiB = 1024 * 1024;
const TAG = 16;
const CONTEXT = { tenant: "acme", purpose: "envelope-test" };

let server: ServerProcess;
let kms: KmsClient;
let keyId: string;
/** Data-key plaintexts exactly as the client received them, to check they end up zeroed. */
const seenDataKeys: Uint8Array[] = [];

const captureDataKeys: Interceptor = (next) => async (req) => {
  const res = await next(req);
  if (!res.stream && (req.method.name === "GenerateDataKey" || req.method.name === "Decrypt")) {
    seenDataKeys.push((res.message as unknown as { plaintext: Uint8Array }).plaintext);
  }
  return res;
};

beforeAll(async () => {
  server = await startServer();
  kms = createKmsClient({ baseUrl: server.url, token: TEST_ADMIN.token, interceptors: [captureDataKeys] });
  keyId = (await kms.keys.createKey({ description: "envelope tests" })).key!.keyId;
});

afterAll(async () => {
  await server?.stop();
});

/** Header length of an envelope: 18 fixed bytes and the wrapped key whose length is at 16..17. */
const headerLength = (env: Uint8Array) => 18 + Buffer.from(env).readUInt16BE(16);

async function encryptWithChunks(data: Uint8Array, chunkSize: number, context = CONTEXT): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(data.length ? [Buffer.from(data)] : [], { objectMode: false }),
    await createEncryptStream(kms, { keyId, context, chunkSize }),
    new Writable({
      write(chunk, _e, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
}

/** Decrypts and returns the error, failing the test if decryption succeeded. */
async function decryptFailure(envelope: Uint8Array, context: Record<string, string> = CONTEXT): Promise<unknown> {
  try {
    await decryptEnvelope(kms, envelope, context);
  } catch (err) {
    return err;
  }
  throw new Error("decryption of an invalid envelope succeeded");
}

function expectInvalid(err: unknown): void {
  expect(err).toBeInstanceOf(KmsClientError);
  expect((err as KmsClientError).reason).toBe("InvalidCiphertextException");
  expect((err as KmsClientError).codeName).toBe("invalid_argument");
  expect((err as KmsClientError).message).toBe("The envelope could not be decrypted.");
}

/** Runs `fn` over `items` with at most `n` at a time. */
async function limited<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

describe("round trips", () => {
  it.each([0, 1, MiB])("%i bytes: the envelope has the documented layout and opens to the same bytes", async (n) => {
    const data = randomBytes(n);
    const env = await encryptEnvelope(kms, keyId, data, CONTEXT);
    expect(Buffer.from(env.subarray(0, 5)).toString("latin1")).toBe("KMSE\x01");
    expect(Buffer.from(env).readUInt32BE(5)).toBe(64 * 1024);
    const chunks = Math.max(1, Math.ceil(n / (64 * 1024)));
    expect(env.length).toBe(headerLength(env) + n + chunks * TAG);
    if (n >= 32) expect(Buffer.from(env).includes(data.subarray(0, 32))).toBe(false);
    expect(Buffer.from(await decryptEnvelope(kms, env, CONTEXT)).equals(data)).toBe(true);
  });

  it.each([0, 1, 15, 16, 17, 32, 33, 100])(
    "%i bytes in 16-byte chunks: exact multiples end with a full final chunk, not an empty one",
    async (n) => {
      const data = randomBytes(n);
      const env = await encryptWithChunks(data, 16);
      const chunks = Math.max(1, Math.ceil(n / 16));
      expect(env.length).toBe(headerLength(env) + n + chunks * TAG);
      expect(Buffer.from(await decryptEnvelope(kms, env, CONTEXT)).equals(data)).toBe(true);
    },
  );

  it("the context's entry order does not matter", async () => {
    const env = await encryptEnvelope(kms, keyId, Buffer.from("order"), { a: "1", b: "2" });
    expect(Buffer.from(await decryptEnvelope(kms, env, { b: "2", a: "1" })).toString()).toBe("order");
  });

  it("two encryptions of the same data differ (fresh data key and nonce prefix)", async () => {
    const data = Buffer.from("same input");
    const [a, b] = await Promise.all([encryptEnvelope(kms, keyId, data), encryptEnvelope(kms, keyId, data)]);
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(false);
    expect(Buffer.from(a!.subarray(9, 16)).equals(Buffer.from(b!.subarray(9, 16)))).toBe(false);
  });

  it("the data key is zeroed after encryption and after decryption, also after a failure", async () => {
    seenDataKeys.length = 0;
    const env = await encryptEnvelope(kms, keyId, randomBytes(1000), CONTEXT);
    await decryptEnvelope(kms, env, CONTEXT);
    const bad = Buffer.from(env);
    bad[bad.length - 1]! ^= 1;
    expectInvalid(await decryptFailure(bad));
    expect(seenDataKeys).toHaveLength(3);
    for (const key of seenDataKeys) {
      expect(key.length).toBe(32);
      expect(key.every((b) => b === 0)).toBe(true);
    }
  });

  /**
   * 64 MiB from a generator, through encryption and decryption in one pipeline, never held
   * whole. Bound: RSS may grow by less than 32 MiB over the run — half a copy of the data, where
   * an implementation that buffered the input or the envelope would hold at least 64 MiB (and two
   * copies for both directions); a correct one holds a few 64 KiB chunks (about 8 MiB measured,
   * mostly allocator slack). Sampled every 10 ms. A full GC runs every MiB of
   * input, so the bound measures what the streams hold rather than how lazily V8 collects: it lets
   * external (Buffer) memory grow by up to 64 MiB before collecting on its own.
   */
  it("64 MiB streams through encrypt and decrypt with RSS growth under 32 MiB", async () => {
    const total = 64 * MiB;
    const piece = 256 * 1024;
    const inHash = createHash("sha256");
    const outHash = createHash("sha256");
    let envelopeBytes = 0;
    let outBytes = 0;
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    async function* source() {
      for (let sent = 0; sent < total; sent += piece) {
        if (sent % MiB === 0) gc();
        const b = randomBytes(piece);
        inHash.update(b);
        yield b;
      }
    }
    const countEnvelope = new PassThrough();
    countEnvelope.on("data", (c: Buffer) => {
      envelopeBytes += c.length;
    });
    gc();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      await pipeline(
        Readable.from(source(), { objectMode: false }),
        await createEncryptStream(kms, { keyId, context: CONTEXT }),
        countEnvelope,
        createDecryptStream(kms, { context: CONTEXT }),
        new Writable({
          write(chunk: Buffer, _e, cb) {
            outHash.update(chunk);
            outBytes += chunk.length;
            cb();
          },
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(outBytes).toBe(total);
    expect(outHash.digest("hex")).toBe(inHash.digest("hex"));
    expect(envelopeBytes).toBeGreaterThan(total + (total / (64 * 1024)) * TAG);
    console.info(`64 MiB round trip: RSS grew by ${((peak - baseline) / MiB).toFixed(1)} MiB`);
    expect(peak - baseline).toBeLessThan(32 * MiB);
  });
});

describe("any modified byte fails", () => {
  it("a 40-byte envelope in 16-byte chunks: every byte position, header, chunks and tags", async () => {
    const env = await encryptWithChunks(randomBytes(40), 16);
    expect(env.length).toBe(headerLength(env) + 40 + 3 * TAG);
    const positions = Array.from({ length: env.length }, (_, i) => i);
    const failures: number[] = [];
    await limited(positions, 8, async (pos) => {
      const bad = Buffer.from(env);
      bad[pos]! ^= 1 << (pos % 8);
      const err = await decryptFailure(bad).catch(() => undefined);
      if (err === undefined) failures.push(pos);
      else expectInvalid(err);
    });
    expect(failures).toEqual([]);
  });

  it("a 1 MiB envelope: every header byte and a sample of chunk bytes and tags", async () => {
    const env = Buffer.from(await encryptEnvelope(kms, keyId, randomBytes(MiB), CONTEXT));
    const h = headerLength(env);
    const whole = 64 * 1024 + TAG;
    const positions = new Set<number>();
    for (let i = 0; i < h; i++) positions.add(i);
    for (let c = 0; c < 16; c++) {
      const start = h + c * whole;
      positions.add(start);
      positions.add(start + 64 * 1024);
      positions.add(start + whole - 1);
    }
    for (let i = 0; i < 100; i++) positions.add(h + Math.floor(Math.random() * (env.length - h)));
    const failures: number[] = [];
    await limited([...positions], 8, async (pos) => {
      const bad = Buffer.from(env);
      bad[pos]! ^= 0x80 >> (pos % 8);
      const err = await decryptFailure(bad).catch(() => undefined);
      if (err === undefined) failures.push(pos);
      else expectInvalid(err);
    });
    expect(failures).toEqual([]);
  });
});

describe("structural changes fail", () => {
  let env: Buffer;
  let h: number;
  const chunk = (i: number) => env.subarray(h + i * 32, h + (i + 1) * 32);

  beforeAll(async () => {
    // Three chunks of 16 plaintext bytes (32 with tags), the last one full.
    env = await encryptWithChunks(randomBytes(48), 16);
    h = headerLength(env);
    expect(env.length).toBe(h + 3 * 32);
  });

  const cases: [string, () => Buffer][] = [
    ["the last byte cut", () => env.subarray(0, env.length - 1)],
    ["the final chunk dropped (truncation at a chunk boundary)", () => env.subarray(0, h + 64)],
    ["everything after the header dropped", () => env.subarray(0, h)],
    ["the header cut short", () => env.subarray(0, h - 1)],
    ["an empty file", () => Buffer.alloc(0)],
    ["the first chunk dropped", () => Buffer.concat([env.subarray(0, h), chunk(1), chunk(2)])],
    ["chunks 0 and 1 swapped", () => Buffer.concat([env.subarray(0, h), chunk(1), chunk(0), chunk(2)])],
    ["chunks 1 and 2 swapped", () => Buffer.concat([env.subarray(0, h), chunk(0), chunk(2), chunk(1)])],
    ["chunk 0 duplicated", () => Buffer.concat([env.subarray(0, h), chunk(0), chunk(0), chunk(1), chunk(2)])],
    ["the final chunk duplicated", () => Buffer.concat([env, chunk(2)])],
    ["one garbage byte appended", () => Buffer.concat([env, Buffer.from([0])])],
    ["16 garbage bytes appended", () => Buffer.concat([env, randomBytes(16)])],
    ["the envelope appended to itself", () => Buffer.concat([env, env])],
  ];

  it.each(cases)("%s", async (_name, make) => {
    expectInvalid(await decryptFailure(make()));
  });

  it("a chunk from another envelope under the same key fails", async () => {
    const other = await encryptWithChunks(randomBytes(48), 16);
    const oh = headerLength(other);
    expectInvalid(
      await decryptFailure(Buffer.concat([env.subarray(0, h), other.subarray(oh, oh + 32), chunk(1), chunk(2)])),
    );
  });

  it("no plaintext of a chunk is released before its tag verifies", async () => {
    const data = randomBytes(48);
    const e = await encryptWithChunks(data, 16);
    const eh = headerLength(e);
    const bad = Buffer.from(e);
    bad[eh + 32 + 5]! ^= 1; // a ciphertext byte of chunk 1
    const released: Buffer[] = [];
    const err = await pipeline(
      Readable.from([bad], { objectMode: false }),
      createDecryptStream(kms, { context: CONTEXT }),
      new Writable({
        write(c: Buffer, _e, cb) {
          released.push(c);
          cb();
        },
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectInvalid(err);
    expect(Buffer.concat(released).equals(data.subarray(0, 16))).toBe(true);
  });

  it("the same envelope still opens (the cases above altered copies)", async () => {
    expect((await decryptEnvelope(kms, env, CONTEXT)).length).toBe(48);
  });
});

describe("the encryption context", () => {
  let env: Uint8Array;
  beforeAll(async () => {
    env = await encryptEnvelope(kms, keyId, Buffer.from("context-bound"), CONTEXT);
  });

  it.each([
    ["a changed value", { ...CONTEXT, tenant: "other" }],
    ["a missing pair", { tenant: "acme" }],
    ["an extra pair", { ...CONTEXT, extra: "x" }],
    ["an empty context", {}],
  ])("%s fails", async (_name, context) => {
    expectInvalid(await decryptFailure(env, context));
  });

  it("the right context opens it", async () => {
    expect(Buffer.from(await decryptEnvelope(kms, env, CONTEXT)).toString()).toBe("context-bound");
  });
});

describe("other failures pass through as the service's own errors", () => {
  it("encrypting under an unknown key is NotFoundException", async () => {
    const err = await encryptEnvelope(kms, "alias/does-not-exist", Buffer.from("x")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KmsClientError);
    expect((err as KmsClientError).reason).toBe("NotFoundException");
  });

  it("a principal without access to the key gets AccessDeniedException, not InvalidCiphertextException", async () => {
    const env = await encryptEnvelope(kms, keyId, Buffer.from("admin's"), CONTEXT);
    const bob = await createPrincipal("envelope-bob");
    const bobClient = createKmsClient({ baseUrl: server.url, token: bob.token });
    const err = await decryptEnvelope(bobClient, env, CONTEXT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KmsClientError);
    expect((err as KmsClientError).reason).toBe("AccessDeniedException");
  });
});

/** `kms principal create NAME` against the test server's data directory. */
async function createPrincipal(name: string): Promise<{ token: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KMS_")));
  const child = spawn(
    process.execPath,
    [resolve(ROOT, "bin/kms.mjs"), "principal", "create", name, "--data-dir", server.dataDir],
    {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d;
  });
  child.stderr.on("data", (d: Buffer) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((res) => child.once("close", res));
  if (code !== 0) throw new Error(`kms principal create exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as { token: string };
}
