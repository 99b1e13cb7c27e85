import { constants, privateDecrypt, publicEncrypt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateKeyPairSync } from "../../../src/crypto/key-pairs.js";
import { rsaDecrypt, rsaEncrypt, rsaMaxPlaintext } from "../../../src/crypto/rsa-encryption.js";
import { expectKmsError, flip } from "./helpers.js";

const pair = generateKeyPairSync("RSA_2048");
const ec = generateKeyPairSync("EC_P256");
const der = (key: Buffer, type: "spki" | "pkcs8") => ({ key, format: "der" as const, type });

describe.each([
  ["RSAES_OAEP_SHA_1", "sha1", 214],
  ["RSAES_OAEP_SHA_256", "sha256", 190],
] as const)("%s", (algorithm, oaepHash, max) => {
  it(`allows at most k − 2·hLen − 2 = ${max} bytes with RSA_2048`, () => {
    expect(rsaMaxPlaintext("RSA_2048", algorithm)).toBe(max);
    expect(rsaMaxPlaintext("RSA_4096", algorithm)).toBe(max + 256);
    const c = rsaEncrypt(pair.publicKeyDer, algorithm, Buffer.alloc(max, 7));
    expect(rsaDecrypt(pair.privateKeyDer, algorithm, c).equals(Buffer.alloc(max, 7))).toBe(true);
    expectKmsError(() => rsaEncrypt(pair.publicKeyDer, algorithm, Buffer.alloc(max + 1)), "InvalidArgument");
    expectKmsError(() => rsaEncrypt(pair.publicKeyDer, algorithm, Buffer.alloc(0)), "InvalidArgument");
  });

  it("interoperates with crypto.publicEncrypt / privateDecrypt using the same OAEP hash", () => {
    const plaintext = Buffer.from("interop");
    const ours = rsaEncrypt(pair.publicKeyDer, algorithm, plaintext);
    const padding = constants.RSA_PKCS1_OAEP_PADDING;
    expect(privateDecrypt({ ...der(pair.privateKeyDer, "pkcs8"), padding, oaepHash }, ours).equals(plaintext)).toBe(
      true,
    );
    const theirs = publicEncrypt({ ...der(pair.publicKeyDer, "spki"), padding, oaepHash }, plaintext);
    expect(rsaDecrypt(pair.privateKeyDer, algorithm, theirs).equals(plaintext)).toBe(true);
  });

  it("turns every decryption failure into InvalidCiphertext", () => {
    const c = rsaEncrypt(pair.publicKeyDer, algorithm, Buffer.from("x"));
    const otherAlgorithm = algorithm === "RSAES_OAEP_SHA_1" ? "RSAES_OAEP_SHA_256" : "RSAES_OAEP_SHA_1";
    expectKmsError(() => rsaDecrypt(pair.privateKeyDer, otherAlgorithm, c), "InvalidCiphertext");
    expectKmsError(() => rsaDecrypt(pair.privateKeyDer, algorithm, flip(c, 100, 1)), "InvalidCiphertext");
    expectKmsError(() => rsaDecrypt(pair.privateKeyDer, algorithm, c.subarray(1)), "InvalidCiphertext");
    expectKmsError(() => rsaDecrypt(pair.privateKeyDer, algorithm, Buffer.alloc(0)), "InvalidCiphertext");
    expectKmsError(() => rsaDecrypt(pair.privateKeyDer, algorithm, Buffer.alloc(256, 0xff)), "InvalidCiphertext");
    expectKmsError(() => rsaDecrypt(ec.privateKeyDer, algorithm, c), "InvalidCiphertext");
  });
});

it("refuses non-RSA specs and keys", () => {
  expectKmsError(() => rsaMaxPlaintext("EC_P256", "RSAES_OAEP_SHA_256"), "InvalidKeyUsage");
  expectKmsError(() => rsaEncrypt(ec.publicKeyDer, "RSAES_OAEP_SHA_256", Buffer.from("x")), "InvalidKeyUsage");
});
