import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newRsaKeyPair, pkcs12, signCertificate } from "../../../src/crypto/certificates.js";

const now = new Date("2026-01-01T00:00:00Z");
const later = new Date("2027-01-01T00:00:00Z");

describe("certificates and PKCS#12", () => {
  it("writes PKCS#12 the Go SDK can read: certificate bag first, then a 3DES-shrouded key, SHA-1 MAC", () => {
    const { privateKey, publicKey } = newRsaKeyPair(2048);
    const pem = signCertificate(
      { commonName: "KAAP.test", publicKey, notBefore: now, notAfter: later, serialHex: "01ab" },
      privateKey,
    );
    const file = join(mkdtempSync(join(tmpdir(), "p12-")), "k.p12");
    writeFileSync(file, pkcs12(pem, privateKey, "pw-1"));
    const openssl = (password: string) =>
      spawnSync("openssl", ["pkcs12", "-in", file, "-passin", `pass:${password}`, "-info", "-nodes"], {
        encoding: "utf8",
      });
    const read = openssl("pw-1");
    // openssl reports the structure on stderr and prints the PEM blocks on stdout.
    const info = read.stdout;
    expect(read.stderr).toMatch(/^MAC: sha1,/m);
    const order = [...read.stderr.matchAll(/^(Certificate bag|Shrouded Keybag: [^,]+)/gm)].map((m) => m[1]);
    expect(order).toEqual(["Certificate bag", "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"]);
    expect(createPrivateKey(info.slice(info.indexOf("-----BEGIN PRIVATE KEY-----"))).equals(privateKey)).toBe(true);
    expect(new X509Certificate(info.slice(info.indexOf("-----BEGIN CERTIFICATE-----"))).subject).toBe("CN=KAAP.test");
    expect(openssl("wrong").status).not.toBe(0);
  });

  it("signs a server certificate with a CA: chain, host name and IP check, validity", () => {
    const ca = newRsaKeyPair(2048);
    const caPem = signCertificate(
      { commonName: "test CA", publicKey: ca.publicKey, notBefore: now, notAfter: later, serialHex: "10", ca: true },
      ca.privateKey,
    );
    const server = newRsaKeyPair(2048);
    const serverPem = signCertificate(
      {
        commonName: "localhost",
        publicKey: server.publicKey,
        notBefore: now,
        notAfter: later,
        serialHex: "11",
        altNames: { dns: ["localhost"], ip: ["127.0.0.1"] },
        usage: "serverAuth",
      },
      ca.privateKey,
      { certificatePem: caPem },
    );
    const caCert = new X509Certificate(caPem);
    const cert = new X509Certificate(serverPem);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.verify(server.publicKey)).toBe(false);
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.checkHost("example.com")).toBeUndefined();
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.publicKey.equals(server.publicKey)).toBe(true);
    expect(new Date(cert.validTo).getTime()).toBe(later.getTime());
  });
});
