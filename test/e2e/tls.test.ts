import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import http2 from "node:http2";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/** A throwaway self-signed certificate for 127.0.0.1, made with the system's openssl. */
function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  args.push("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1");
  execFileSync("openssl", [...args, "-keyout", key, "-out", cert], { stdio: "ignore" });
  return { cert, key };
}

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
            headers: { "content-type": "application/json" },
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
