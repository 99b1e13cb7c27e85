import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contentSha256, stringToSign, verifySignature } from "../../../src/alibaba/signature.js";

const body = Buffer.from([0x0a, 0x03, 0x6b, 0x65, 0x79]);
const request = (headers: Record<string, string>, query = "") => ({ method: "POST", path: "/", query, headers, body });

describe("KMS-instance request signing", () => {
  it("hashes the body as upper-case hex SHA-256", () => {
    expect(contentSha256(Buffer.from("abc"))).toBe("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  });

  it("builds the SDKs' string to sign: method, hash, type, date, sorted trimmed x-kms-* lines, resource", () => {
    const text = stringToSign(
      request({
        "x-kms-signaturemethod": "RSA_PKCS1_SHA_256",
        "content-type": "application/x-protobuf",
        "x-kms-apiname": "  Encrypt ",
        date: "Mon, 07 Dec 2026 00:00:00 GMT",
        "x-kms-acccesskeyid": "KAAP.0",
        "user-agent": "not signed",
        "content-sha256": "ABC",
        "x-kms-apiversion": "dkms-gcs-0.2",
      }),
    );
    expect(text).toBe(
      [
        "POST",
        "ABC",
        "application/x-protobuf",
        "Mon, 07 Dec 2026 00:00:00 GMT",
        "x-kms-acccesskeyid:KAAP.0",
        "x-kms-apiname:Encrypt",
        "x-kms-apiversion:dkms-gcs-0.2",
        "x-kms-signaturemethod:RSA_PKCS1_SHA_256",
        "/",
      ].join("\n"),
    );
  });

  it("appends a query sorted by name, as the Go SDK does", () => {
    expect(stringToSign(request({}, "b=2&a&c=")).endsWith("\n/?a&b=2&c")).toBe(true);
  });

  it("verifies RSASSA-PKCS1-v1_5 SHA-256 only for the signed text and key", () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const signature = sign("sha256", Buffer.from("text"), privateKey);
    expect(verifySignature(publicKey, "text", signature)).toBe(true);
    expect(verifySignature(publicKey, "text!", signature)).toBe(false);
    expect(verifySignature(other, "text", signature)).toBe(false);
    expect(verifySignature(publicKey, "text", Buffer.from("short"))).toBe(false);
  });
});
