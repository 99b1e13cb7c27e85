import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import http2 from "node:http2";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERIFIED_CLIENT_HEADER } from "../../src/grpc/call-scope.js";
import { expectGrpcError, grpcClients } from "../helpers/grpc-client.js";
import { ADMIN_AUTH, type ServerProcess, startServer } from "../helpers/server-process.js";
import { selfSigned } from "../helpers/tls-cert.js";

describe("TLS with ALPN on the one port", () => {
  let server: ServerProcess;
  let ca: Buffer;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-tls-"));
    const files = selfSigned(dir);
    ca = readFileSync(files.cert);
    server = await startServer({ env: { KMS_TLS_CERT: files.cert, KMS_TLS_KEY: files.key } });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it("negotiates h2 and http/1.1 by ALPN", async () => {
    for (const protocol of ["h2", "http/1.1"]) {
      const negotiated = await new Promise<string | false>((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.1", port: server.port, ca, ALPNProtocols: [protocol] }, () => {
          resolve(socket.alpnProtocol ?? false);
          socket.end();
        });
        socket.once("error", reject);
      });
      expect(negotiated).toBe(protocol);
    }
  });

  it("serves Connect JSON over HTTPS/1.1", async () => {
    const body = await new Promise<{ status: number; json: { key: { keyId: string; keyState: string } } }>(
      (resolve, reject) => {
        const req = https.request(
          {
            host: "127.0.0.1",
            port: server.port,
            ca,
            method: "POST",
            path: "/kms.v1.KeyService/CreateKey",
            headers: { "content-type": "application/json", ...ADMIN_AUTH },
          },
          (res) => {
            let text = "";
            res.on("data", (d) => {
              text += d;
            });
            res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
          },
        );
        req.once("error", reject);
        req.end("{}");
      },
    );
    expect(body.status).toBe(200);
    expect(body.json.key.keyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.json.key.keyState).toBe("KEY_STATE_ENABLED");
  });

  it("serves Connect JSON over h2 and refuses clients that do not trust the certificate", async () => {
    const session = http2.connect(`https://127.0.0.1:${server.port}`, { ca });
    try {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const stream = session.request({
          ":method": "POST",
          ":path": "/kms.v1.CryptoService/GenerateRandom",
          "content-type": "application/json",
          ...ADMIN_AUTH,
        });
        let status = 0;
        let text = "";
        stream.on("response", (h) => {
          status = Number(h[":status"]);
        });
        stream.on("data", (d) => {
          text += d;
        });
        stream.on("end", () => resolve({ status, text }));
        stream.on("error", reject);
        stream.end(JSON.stringify({ numberOfBytes: 16 }));
      });
      expect(status).toBe(200);
      expect(Buffer.from(JSON.parse(text).plaintext, "base64")).toHaveLength(16);
    } finally {
      session.close();
    }
    await expect(
      new Promise((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.1", port: server.port }, () => resolve(socket));
        socket.once("error", reject);
      }),
    ).rejects.toThrow(/self[- ]signed/i);
  });
});

describe("mutual TLS: a client certificate verified against KMS_TLS_CLIENT_CA names a principal", () => {
  let server: ServerProcess;
  let dir: string;
  let ca: Buffer;

  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore", cwd: dir });
  /** A client key and certificate with common name `cn`, signed by `issuer` (a CA, or itself). */
  function clientCert(cn: string, issuer: "ca" | "self"): { cert: Buffer; key: Buffer } {
    const base = `${cn}-${issuer}`;
    if (issuer === "ca") {
      openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        `/CN=${cn}`,
        "-keyout",
        `${base}.key`,
        "-out",
        `${base}.csr`,
      );
      openssl(
        "x509",
        "-req",
        "-in",
        `${base}.csr`,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
        "-out",
        `${base}.pem`,
      );
    } else {
      openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        `/CN=${cn}`,
        "-days",
        "1",
        "-keyout",
        `${base}.key`,
        "-out",
        `${base}.pem`,
      );
    }
    return { cert: readFileSync(join(dir, `${base}.pem`)), key: readFileSync(join(dir, `${base}.key`)) };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kms-mtls-"));
    const server_ = selfSigned(dir);
    ca = readFileSync(server_.cert);
    openssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=test client CA",
      "-days",
      "1",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    );
    server = await startServer({
      env: { KMS_TLS_CERT: server_.cert, KMS_TLS_KEY: server_.key, KMS_TLS_CLIENT_CA: join(dir, "ca.pem") },
    });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  async function createKeyWith(client: { cert: Buffer; key: Buffer } | undefined): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: "127.0.0.1",
          port: server.port,
          ca,
          ...(client ?? {}),
          method: "POST",
          path: "/kms.v1.KeyService/CreateKey",
          headers: { "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.once("error", reject);
      req.end("{}");
    });
  }

  it("lets a CA-signed certificate whose CN is a principal in without a token", async () => {
    expect(await createKeyWith(clientCert("admin", "ca"))).toBe(200);
  });

  it("refuses no certificate, an unknown CN, and a self-signed certificate naming a real principal", async () => {
    expect(await createKeyWith(undefined)).toBe(401);
    expect(await createKeyWith(clientCert("nobody", "ca"))).toBe(401);
    expect(await createKeyWith(clientCert("admin", "self"))).toBe(401);
  });

  /** CreateKey over gRPC on TLS (the grpc-js stack, the default), with no bearer token. */
  async function grpcCreateKey(client: { cert: Buffer; key: Buffer } | undefined, metadata = new grpc.Metadata()) {
    const credentials = grpc.credentials.createSsl(ca, client?.key ?? null, client?.cert ?? null);
    const clients = grpcClients(`127.0.0.1:${server.port}`, null, credentials);
    try {
      return await clients.keys.CreateKey({}, metadata);
    } finally {
      clients.close();
    }
  }

  it("over gRPC: a verified certificate's CN names the principal; an unverified one or a forged header does not", async () => {
    expect((await grpcCreateKey(clientCert("admin", "ca"))).key.keyState).toBe("KEY_STATE_ENABLED");
    await expectGrpcError(
      grpcCreateKey(clientCert("admin", "self")),
      grpc.status.UNAUTHENTICATED,
      "UnrecognizedClientException",
    );
    // The header through which the stream router passes a verified name cannot be sent by a client.
    const forged = new grpc.Metadata();
    forged.set(VERIFIED_CLIENT_HEADER, "admin");
    await expectGrpcError(grpcCreateKey(undefined, forged), grpc.status.UNAUTHENTICATED, "UnrecognizedClientException");
    await expectGrpcError(
      grpcCreateKey(clientCert("nobody", "ca"), forged),
      grpc.status.UNAUTHENTICATED,
      "UnrecognizedClientException",
    );
  });
});
