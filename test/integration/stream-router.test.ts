import http2 from "node:http2";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, type ListenerLimits } from "../../src/listener-limits.js";
import type { StreamRouter } from "../../src/edge/http.js";
import { type Listener, startListener } from "../../src/server.js";

/**
 * The listener's stream-router hook (what puts grpc-js beside connect-node on the one port):
 * accepted HTTP/2 streams bypass the request handler, a router that throws costs only its
 * stream, and a drain waits for routed streams as for requests.
 */

let listener: Listener | undefined;

afterEach(async () => {
  await listener?.close(0);
  listener = undefined;
});

async function listen(router: StreamRouter, limits: Partial<ListenerLimits> = {}): Promise<string> {
  listener = await startListener({
    host: "127.0.0.1",
    port: 0,
    logger: pino({ level: "silent" }),
    limits: { ...DEFAULT_LIMITS, ...limits },
    handler: (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("handler");
    },
    streamRouter: router,
  });
  return `http://127.0.0.1:${listener.port}`;
}

/** One request on its own session; resolves with the status and body, or rejects when the stream is reset. */
function request(url: string, path: string): Promise<{ status: number; body: string }> {
  const session = http2.connect(url);
  session.on("error", () => {});
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const stream = session.request({ ":path": path });
    let status = 0;
    let body = "";
    stream.setEncoding("utf8");
    stream.on("response", (h) => {
      status = Number(h[":status"]);
    });
    stream.on("data", (d: string) => {
      body += d;
    });
    stream.on("end", () => resolve({ status, body }));
    stream.on("error", reject);
    stream.on("close", () => reject(new Error(`stream closed with code ${stream.rstCode}`)));
  }).finally(() => session.close());
}

const answer = (stream: http2.ServerHttp2Stream, text: string) => {
  stream.respond({ ":status": 200 });
  stream.end(text);
};

describe("the listener's stream router", () => {
  it("serves the streams it accepts and leaves the others to the request handler", async () => {
    const url = await listen({
      accepts: (headers) => headers[":path"] === "/routed",
      serve: (stream) => answer(stream, "router"),
    });
    expect(await request(url, "/routed")).toEqual({ status: 200, body: "router" });
    expect(await request(url, "/other")).toEqual({ status: 200, body: "handler" });
  });

  it("resets the stream of a router that throws, and keeps serving", async () => {
    const url = await listen({
      accepts: (headers) => headers[":path"] === "/boom",
      serve: () => {
        throw new Error("router bug");
      },
    });
    await expect(request(url, "/boom")).rejects.toThrow();
    expect(await request(url, "/other")).toEqual({ status: 200, body: "handler" });
  });

  it("resets a routed stream whose body does not end within the request timeout, as any HTTP/2 request", async () => {
    const url = await listen(
      {
        accepts: () => true,
        // Reads the body and answers once it ends: a client that never ends it stalls the stream.
        serve: (stream) => {
          stream.resume();
          stream.on("end", () => {
            if (!stream.closed) answer(stream, "read");
          });
        },
      },
      { headersTimeoutMs: 200, requestTimeoutMs: 200 },
    );
    const session = http2.connect(url);
    session.on("error", () => {});
    try {
      const stalled = session.request({ ":method": "POST", ":path": "/stalled" }, { endStream: false });
      stalled.on("error", () => {});
      stalled.write("part of a body");
      const code = await new Promise<number>((resolve) => stalled.on("close", () => resolve(stalled.rstCode ?? -1)));
      expect(code).toBe(http2.constants.NGHTTP2_CANCEL);
    } finally {
      session.close();
    }
    expect(await request(url, "/complete")).toEqual({ status: 200, body: "read" });
  });

  it("lets a drain wait for a routed stream in flight", async () => {
    let started: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    const url = await listen({
      accepts: () => true,
      serve: (stream) => {
        started();
        setTimeout(() => answer(stream, "late"), 300);
      },
    });
    const pending = request(url, "/slow");
    await inFlight;
    expect(listener?.inFlight()).toBe(1);
    await listener?.close(5_000);
    listener = undefined;
    expect(await pending).toEqual({ status: 200, body: "late" });
  });
});
