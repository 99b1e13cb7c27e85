import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { newRsaKeyPair, signCertificate } from "../crypto/certificates.js";
import { secureRandom } from "../crypto/random.js";
import { UsageError } from "./client-args.js";
import type { CommandIo, CommandSpec } from "./command.js";
import { flagValue } from "./flags.js";

const DAY_MS = 86_400_000;

/**
 * `kms tls dev-cert [--out DIR]`: a certificate authority and a server certificate for
 * `localhost` and `127.0.0.1`, for serving TLS on a developer's machine
 * (`KMS_TLS_CERT=DIR/server.pem KMS_TLS_KEY=DIR/server-key.pem`) to clients that check the host
 * name (the dkms-gcs Go and Python SDKs) or need a CA file (the Java SDK): give them `DIR/ca.pem`.
 * The CA's private key is discarded once it has signed, so that this CA can vouch for nothing
 * else. Writes `ca.pem`, `server.pem` and `server-key.pem` (mode 0600) and prints their paths as
 * one JSON line. Not for production: use certificates from your own CA there.
 */
export async function tlsCommand(args: string[], io: CommandIo): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== "dev-cert" || rest.some((a) => a.startsWith("--") && a !== "--out") || rest.length % 2 !== 0) {
    throw new UsageError("usage: kms tls dev-cert [--out DIR]");
  }
  const dir = resolve(flagValue(rest, "--out") ?? ".");
  await mkdir(dir, { recursive: true });
  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const serialHex = () => `01${secureRandom(15).toString("hex")}`;

  const validFor = (days: number) => ({ notBefore, notAfter: new Date(now + days * DAY_MS), serialHex: serialHex() });
  const ca = newRsaKeyPair(2048);
  const caPem = signCertificate(
    { commonName: "kms development CA", publicKey: ca.publicKey, ca: true, ...validFor(730) },
    ca.privateKey,
  );
  const server = newRsaKeyPair(2048);
  const serverPem = signCertificate(
    {
      commonName: "localhost",
      publicKey: server.publicKey,
      altNames: { dns: ["localhost"], ip: ["127.0.0.1", "::1"] },
      usage: "serverAuth",
      ...validFor(365),
    },
    ca.privateKey,
    { certificatePem: caPem },
  );
  const files = { ca: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server-key.pem") };
  await writeFile(files.ca, caPem);
  await writeFile(files.cert, serverPem);
  await writeFile(files.key, server.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  io.stdout.write(`${JSON.stringify(files)}\n`);
  return 0;
}

export const command: CommandSpec = {
  help: `usage: kms tls dev-cert [--out DIR]

Writes a development CA (DIR/ca.pem) and a server certificate for localhost and 127.0.0.1
(DIR/server.pem, DIR/server-key.pem mode 0600; DIR defaults to .) and prints their paths as JSON.
Serve with KMS_TLS_CERT=DIR/server.pem KMS_TLS_KEY=DIR/server-key.pem; give clients DIR/ca.pem.
The CA's private key is discarded. Not for production.`,
  words: ["dev-cert", "--out"],
  run: tlsCommand,
};
