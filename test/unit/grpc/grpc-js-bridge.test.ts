import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HealthCheckRequestSchema,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "../../../gen/grpc/health/v1/health_pb.js";
import { ServingState } from "../../../src/edge/serving-state.js";
import { serviceDefinition } from "../../../src/grpc/definition.js";
import { createStreamServer, GRPC_JS_VERSION } from "../../../src/grpc/grpc-js-bridge.js";
import { grpcHealthService } from "../../../src/grpc/health.js";
import { Health } from "../../../gen/grpc/health/v1/health_pb.js";
import { errorInfoReason } from "../../helpers/grpc-client.js";

/**
 * The grpc-js bridge calls a private method of `@grpc/grpc-js` (`Server#_streamHandler`). These
 * tests are the alarm for an upgrade: they fail when the installed or pinned version is not the
 * one the bridge was written for, when the method is gone, or when it no longer serves streams
 * handed over one by one from a server grpc-js does not own.
 */
const require = createRequire(import.meta.url);

const state = new ServingState("SERVING");
const served: string[] = [];
let server: http2.Http2Server;
let client: grpc.Client;
const sessions = new Set<http2.ServerHttp2Session>();

/** A method with pass-through (de)serializers, so a test can send bytes that are not a valid message. */
const rawMethod = (path: string, responseStream: boolean) => {
  const same = (b: Buffer) => b;
  return {
    path,
    requestStream: false,
    responseStream,
    requestSerialize: same,
    requestDeserialize: same,
    responseSerialize: same,
    responseDeserialize: same,
  };
};
const RawHealth = grpc.makeGenericClientConstructor(
  { check: rawMethod("/grpc.health.v1.Health/Check", false), watch: rawMethod("/grpc.health.v1.Health/Watch", true) },
  "RawHealth",
);

type RawUnary = (
  req: Buffer,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res?: Buffer) => void,
) => void;

function check(bytes: Uint8Array, options: grpc.CallOptions = {}): Promise<Buffer> {
  const fn = (client as unknown as { check: RawUnary }).check.bind(client);
  return new Promise((res, rej) =>
    fn(Buffer.from(bytes), new grpc.Metadata(), { deadline: Date.now() + 10_000, ...options }, (err, value) =>
      err ? rej(err) : res(value!),
    ),
  );
}

beforeAll(async () => {
  const { server: grpcServer, serve } = createStreamServer();
  grpcServer.addService(serviceDefinition(Health), grpcHealthService(state));
  // A server grpc-js does not own: gRPC streams go to the bridge, everything else is answered here.
  server = http2.createServer();
  server.on("session", (s) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
  server.on("stream", (stream, headers) => {
    if (headers["content-type"] === "application/grpc") {
      served.push(String(headers[":path"]));
      serve(stream, headers, []);
    } else {
      stream.respond({ ":status": 200, "content-type": "text/plain" });
      stream.end("not grpc");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  client = new RawHealth(`127.0.0.1:${(server.address() as AddressInfo).port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  for (const s of sessions) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("the grpc-js bridge", () => {
  it("is pinned: installed, package.json and the bridge name the same grpc-js version", () => {
    const installed = (require("@grpc/grpc-js/package.json") as { version: string }).version;
    const root = require("../../../package.json") as { dependencies: Record<string, string> };
    expect(installed).toBe(GRPC_JS_VERSION);
    expect(root.dependencies["@grpc/grpc-js"]).toBe(GRPC_JS_VERSION);
  });

  it("finds grpc-js's private per-stream handler", () => {
    expect(typeof (grpc.Server.prototype as unknown as Record<string, unknown>)._streamHandler).toBe("function");
  });

  it("serves a unary call on a stream handed over from a server grpc-js does not own", async () => {
    const answer = await check(toBinary(HealthCheckRequestSchema, create(HealthCheckRequestSchema, { service: "" })));
    expect(fromBinary(HealthCheckResponseSchema, answer).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect(served).toContain("/grpc.health.v1.Health/Check");
  });

  it("refuses bytes that are not the request message with INVALID_ARGUMENT and ValidationException", async () => {
    // Field 1 (service, a string) claims 5 bytes and carries 1.
    const err = await check(Uint8Array.of(0x0a, 0x05, 0x61)).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorInfoReason(err)).toBe("ValidationException");
  });

  it("ends a server stream at its deadline with DEADLINE_EXCEEDED", async () => {
    const watch = (
      client as unknown as { watch(req: Buffer, opts: grpc.CallOptions): grpc.ClientReadableStream<Buffer> }
    ).watch;
    const call = watch.call(client, Buffer.alloc(0), { deadline: Date.now() + 300 });
    const first = new Promise<Buffer>((resolve) => call.once("data", resolve));
    const status = new Promise<grpc.StatusObject>((resolve) => call.on("status", resolve));
    call.on("error", () => {});
    expect(fromBinary(HealthCheckResponseSchema, await first).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect((await status).code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it("leaves other streams on the same server alone", async () => {
    const session = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = session.request({ ":path": "/healthz" });
        let text = "";
        req.setEncoding("utf8");
        req.on("data", (d: string) => {
          text += d;
        });
        req.on("end", () => resolve(text));
        req.on("error", reject);
      });
      expect(body).toBe("not grpc");
    } finally {
      session.close();
    }
  });
});
