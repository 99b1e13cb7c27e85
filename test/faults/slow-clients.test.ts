import type { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import http2 from "node:http2";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthClient } from "../helpers/grpc-health.js";
import { ADMIN_AUTH, type ServerProcess, startServer } from "../helpers/server-process.js";
import { selfSigned } from "../helpers/tls-cert.js";
import { LOG_FLUSH_MS } from "../../src/telemetry/log-destination.js";

/**
 * Clients that connect and then stall, or flood a session with streams, against the real server
 * with its limits set small through their `KMS_*` settings. Each stalled connection or stream must
 * be closed by the server well before the test gives up waiting (`GIVE_UP_MS`, many times the
 * configured limit); before these limits existed, all of them stayed open for minutes.
 */

const LIMITS = {
  KMS_HEADERS_TIMEOUT_MS: "500",
  KMS_REQUEST_TIMEOUT_MS: "1000",
  KMS_IDLE_TIMEOUT_MS: "1000",
  KMS_MAX_CONCURRENT_STREAMS: "8",
};
/** How long a test waits for the server to close what it should close. */
const GIVE_UP_MS = 8_000;

let server: ServerProcess;
beforeAll(async () => {
  server = await startServer({ env: { ...LIMITS, KMS_LOG_LEVEL: "debug" } });
});
afterAll(async () => {
  await server?.stop();
});

interface Outcome {
  /** Did the server close the connection before the test gave up? */
  closed: boolean;
  /** What the server wrote, as text. */
  received: string;
}

/** Resolves true once `emitter` emits `event`, or false when `GIVE_UP_MS` passes first. */
function emitted(emitter: EventEmitter, event: string): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), GIVE_UP_MS);
    emitter.once(event, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Opens a raw TCP connection, writes `bytes`, then stalls until the server closes it or `GIVE_UP_MS` passes. */
function stall(port: number, bytes: string): Promise<Outcome> {
  return stallOn(net.connect({ host: "127.0.0.1", port }), "connect", bytes);
}

async function stallOn(socket: net.Socket, ready: "connect" | "secureConnect", bytes: string): Promise<Outcome> {
  let received = "";
  socket.on("data", (d: Buffer) => {
    received += d.toString("latin1");
  });
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once(ready, () => resolve()));
  socket.write(bytes);
  const closed = await emitted(socket, "close");
  socket.destroy();
  return { closed, received };
}

/** Resolves with the stream's RST_STREAM code once it closes, or "open" after `GIVE_UP_MS`. */
async function closeCode(stream: http2.ClientHttp2Stream): Promise<number | "open"> {
  stream.on("error", () => {});
  return (await emitted(stream, "close")) ? (stream.rstCode ?? 0) : "open";
}

const errorLines = () => server.logs.filter((l) => Number(l.level) >= 50);

describe("slow and flooding clients", () => {
  it("HTTP/1.1: a request stalled in its headers gets 408 and is closed", async () => {
    const outcome = await stall(server.port, "POST /kms.v1.CryptoService/GenerateRandom HTTP/1.1\r\nHost: kms\r\n");
    expect(outcome).toEqual({ closed: true, received: expect.stringMatching(/^HTTP\/1\.1 408 /) });
  });

  it("HTTP/1.1: a body stalled after Content-Length: 100000 is closed, and logged below error", async () => {
    const connect = await stall(
      server.port,
      "POST /kms.v1.CryptoService/GenerateRandom HTTP/1.1\r\nHost: kms\r\ncontent-type: application/json\r\n" +
        `authorization: ${ADMIN_AUTH.authorization}\r\nContent-Length: 100000\r\n\r\n{"numberOfBytes":`,
    );
    const aws = await stall(
      server.port,
      "POST / HTTP/1.1\r\nHost: kms\r\ncontent-type: application/x-amz-json-1.1\r\n" +
        'x-amz-target: TrentService.GenerateRandom\r\nContent-Length: 100000\r\n\r\n{"NumberOfBytes":',
    );
    expect([connect.closed, aws.closed]).toEqual([true, true]);
    // The server writes its log in batches: wait for the lines of the stalls to arrive.
    await new Promise((r) => setTimeout(r, 3 * LOG_FLUSH_MS));
    expect(errorLines()).toEqual([]);
    const aborted = server.logs.filter((l) => l.msg === "request aborted before its body was complete");
    expect(aborted.map((l) => l.level)).toEqual([20]);
  });

  it("HTTP/2: an idle session is closed with GOAWAY", async () => {
    const session = http2.connect(server.url);
    session.on("error", () => {});
    const goaway = await emitted(session, "goaway");
    session.destroy();
    expect(goaway).toBe(true);
  });

  it("HTTP/2: a stream stalled before its body ends is reset with CANCEL", async () => {
    const session = http2.connect(server.url);
    session.on("error", () => {});
    const stream = session.request(
      { ":method": "POST", ":path": "/kms.v1.CryptoService/GenerateRandom", "content-type": "application/json" },
      { endStream: false },
    );
    stream.write('{"numberOfBytes":');
    const code = await closeCode(stream);
    session.destroy();
    expect(code).toBe(http2.constants.NGHTTP2_CANCEL);
  });

  it("HTTP/2: streams past KMS_MAX_CONCURRENT_STREAMS are refused", async () => {
    const session = http2.connect(server.url);
    session.on("error", () => {});
    // Opened at once, before the server's SETTINGS arrive: a client that ignores the limit.
    const streams = Array.from({ length: 12 }, () =>
      session.request(
        { ":method": "POST", ":path": "/kms.v1.CryptoService/GenerateRandom", "content-type": "application/json" },
        { endStream: false },
      ),
    );
    const codes = await Promise.all(streams.map(closeCode));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(8);
    session.destroy();
    const refused = codes.filter((c) => c === http2.constants.NGHTTP2_REFUSED_STREAM).length;
    const cancelled = codes.filter((c) => c === http2.constants.NGHTTP2_CANCEL).length;
    expect({ refused, cancelled }).toEqual({ refused: 4, cancelled: 8 });
  });

  it("a health Watch stream outlives the request and idle timeouts: its request is complete", async () => {
    const health = healthClient(server.port);
    const events: string[] = [];
    const watch = health.Watch({ service: "" });
    watch.on("data", (d: { status: string }) => events.push(d.status));
    watch.on("error", (err: { code: number }) => events.push(`error ${err.code}`));
    watch.on("end", () => events.push("end"));
    await new Promise((r) => setTimeout(r, 3 * Number(LIMITS.KMS_IDLE_TIMEOUT_MS)));
    watch.cancel();
    health.close();
    expect(events).toEqual(["SERVING"]);
  });

  it("still serves a legitimate call afterwards", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  });
});

describe("the connection cap", () => {
  let capped: ServerProcess;
  beforeAll(async () => {
    capped = await startServer({
      env: { KMS_MAX_CONNECTIONS: "4", KMS_HEADERS_TIMEOUT_MS: "60000", KMS_REQUEST_TIMEOUT_MS: "60000" },
    });
  });
  afterAll(async () => {
    await capped?.stop();
  });

  it("closes connections past KMS_MAX_CONNECTIONS at once, keeps the ones it holds, and serves again when they go", async () => {
    const held = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const socket = net.connect({ host: "127.0.0.1", port: capped.port });
        socket.on("error", () => {});
        await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
        return socket;
      }),
    );
    try {
      await new Promise((r) => setTimeout(r, 200));
      const extra = await stall(capped.port, "GET /healthz HTTP/1.1\r\nHost: kms\r\n\r\n");
      expect(extra).toEqual({ closed: true, received: "" });
      expect(held.map((s) => s.destroyed)).toEqual([false, false, false, false]);
    } finally {
      for (const s of held) s.destroy();
    }
    await new Promise((r) => setTimeout(r, 3 * LOG_FLUSH_MS));
    expect((await fetch(`${capped.url}/healthz`)).status).toBe(200);
    expect(capped.logs.some((l) => l.msg === "connection cap reached; refusing connections")).toBe(true);
  });
});

describe("the same limits over TLS", () => {
  let secure: ServerProcess;
  let ca: Buffer;
  beforeAll(async () => {
    const files = selfSigned(mkdtempSync(join(tmpdir(), "kms-tls-")));
    ca = readFileSync(files.cert);
    secure = await startServer({ env: { ...LIMITS, KMS_TLS_CERT: files.cert, KMS_TLS_KEY: files.key } });
  });
  afterAll(async () => {
    await secure?.stop();
  });

  it("closes a connection that never starts its TLS handshake", async () => {
    expect(await stall(secure.port, "")).toEqual({ closed: true, received: "" });
  });

  it("HTTP/1.1 over TLS: a request stalled in its headers gets 408 and is closed", async () => {
    const socket = tls.connect({ host: "127.0.0.1", port: secure.port, ca, ALPNProtocols: ["http/1.1"] });
    const outcome = await stallOn(socket, "secureConnect", "POST / HTTP/1.1\r\nHost: kms\r\n");
    expect(outcome).toEqual({ closed: true, received: expect.stringMatching(/^HTTP\/1\.1 408 /) });
  });

  it("HTTP/2 over TLS: advertises KMS_MAX_CONCURRENT_STREAMS and closes an idle session", async () => {
    const session = http2.connect(`https://127.0.0.1:${secure.port}`, { ca });
    session.on("error", () => {});
    await new Promise((resolve) => session.once("remoteSettings", resolve));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(8);
    const closed = await emitted(session, "close");
    session.destroy();
    expect(closed).toBe(true);
  });
});
