import { createHash, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { withClientKeys } from "../../../src/alibaba/client-key-auth.js";
import { DkmsProtocolError } from "../../../src/alibaba/errors.js";
import type { CallInfo } from "../../../src/edge/pipeline.js";
import { KmsError } from "../../../src/domain/errors.js";
import { newRsaKeyPair, signCertificate } from "../../../src/crypto/certificates.js";
import type { ClientKeyRecord, PrincipalRecord } from "../../../src/domain/security-records.js";

const NOW = new Date("2026-12-07T00:00:00Z");
const KEY_ID = "KAAP.0f8e2f9a-1b2c-4d3e-8f90-a1b2c3d4e5f6";
const pair = newRsaKeyPair(2048);
const certificate = signCertificate(
  {
    commonName: KEY_ID,
    publicKey: pair.publicKey,
    notBefore: NOW,
    notAfter: new Date("2027-12-07T00:00:00Z"),
    serialHex: "01",
  },
  pair.privateKey,
);

function setup(overrides: { clientKey?: Partial<ClientKeyRecord> | null; principal?: PrincipalRecord | null } = {}) {
  const clientKey =
    overrides.clientKey === null
      ? null
      : {
          keyId: KEY_ID,
          principal: "alice",
          certificate,
          notAfter: new Date("2027-01-01Z"),
          createdAt: NOW,
          ...overrides.clientKey,
        };
  const principal =
    overrides.principal === undefined ? ({ name: "alice", isAdmin: false } as PrincipalRecord) : overrides.principal;
  const store = {
    getClientKey: async (id: string) => (clientKey && id === clientKey.keyId ? clientKey : null),
    getPrincipal: async (name: string) => (principal && name === principal.name ? principal : null),
  };
  const inner = async () => ({ name: "bearer-user", admin: true });
  return withClientKeys(inner, { store, clock: () => NOW });
}

/** A request signed as the SDKs sign it; `change` alters headers after signing. */
function signed(change: Record<string, string | undefined> = {}, body = Buffer.from([8, 16])): CallInfo {
  const headers: Record<string, string | undefined> = {
    "content-type": "application/x-protobuf",
    "content-sha256": createHash("sha256").update(body).digest("hex").toUpperCase(),
    date: NOW.toUTCString(),
    "x-kms-apiversion": "dkms-gcs-0.2",
    "x-kms-apiname": "GenerateRandom",
    "x-kms-signaturemethod": "RSA_PKCS1_SHA_256",
    "x-kms-acccesskeyid": KEY_ID,
  };
  const kms = Object.keys(headers)
    .filter((h) => h.startsWith("x-kms-"))
    .sort()
    .map((h) => `${h}:${headers[h]}\n`)
    .join("");
  const text = `POST\n${headers["content-sha256"]}\n${headers["content-type"]}\n${headers.date}\n${kms}/`;
  headers.authorization = `Bearer ${sign("sha256", Buffer.from(text), pair.privateKey).toString("base64")}`;
  const all = { ...headers, ...change };
  return {
    service: "dkms-gcs",
    method: "GenerateRandom",
    requestId: "r",
    headers: new Headers(),
    signal: new AbortController().signal,
    clientKeySigned: { method: "POST", path: "/", query: "", headers: all, body },
  };
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DkmsProtocolError) return err.dkmsCode;
    if (err instanceof KmsError) return err.code;
    throw err;
  }
  return "ok";
}

describe("ClientKey authentication", () => {
  it("acts as the ClientKey's principal; other calls go to the inner authenticator", async () => {
    expect(await setup()(signed())).toEqual({ name: "alice", admin: false });
    const { clientKeySigned: _, ...bearer } = signed();
    expect(await setup()(bearer)).toEqual({ name: "bearer-user", admin: true });
  });

  it("refuses what the SDKs would never send, each with its code", async () => {
    const auth = setup();
    expect(await failure(auth(signed({ date: undefined })))).toBe("MissingParameter");
    expect(await failure(auth(signed({ "content-sha256": undefined })))).toBe("MissingParameter");
    expect(await failure(auth(signed({ date: "yesterday-ish" })))).toBe("InvalidArgument");
    expect(await failure(auth(signed({ "x-kms-signaturemethod": "HMAC_SHA_1" })))).toBe("InvalidArgument");
    expect(await failure(auth(signed({ "content-sha256": "00" })))).toBe("SignatureMismatch");
    expect(await failure(auth(signed({ authorization: undefined })))).toBe("Unauthenticated");
    expect(await failure(auth(signed({ "x-kms-apiname": "Encrypt" })))).toBe("Unauthenticated");
    expect(await failure(auth(signed({ "x-kms-acccesskeyid": "KAAP.not-a-uuid" })))).toBe("Unauthenticated");
  });

  it("refuses a date more than 15 minutes away, either side", async () => {
    const auth = setup();
    const at = (ms: number) => new Date(NOW.getTime() + ms).toUTCString();
    expect(await failure(auth(signed({ date: at(-16 * 60_000) })))).toBe("RequestTimeTooSkewed");
    expect(await failure(auth(signed({ date: at(16 * 60_000) })))).toBe("RequestTimeTooSkewed");
  });

  it("refuses an unknown or expired ClientKey, one whose principal is gone, and another key's certificate", async () => {
    expect(await failure(setup({ clientKey: null })(signed()))).toBe("Unauthenticated");
    expect(await failure(setup({ clientKey: { notAfter: new Date(NOW.getTime() - 1) } })(signed()))).toBe(
      "Unauthenticated",
    );
    expect(await failure(setup({ principal: null })(signed()))).toBe("Unauthenticated");
    const other = newRsaKeyPair(2048);
    const foreign = signCertificate(
      { commonName: KEY_ID, publicKey: other.publicKey, notBefore: NOW, notAfter: NOW, serialHex: "02" },
      other.privateKey,
    );
    expect(await failure(setup({ clientKey: { certificate: foreign } })(signed()))).toBe("Unauthenticated");
  });
});
