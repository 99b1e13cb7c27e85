import { randomBytes } from "node:crypto";
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  CreateKeyCommand,
} from "@aws-sdk/client-kms";
import { afterAll, describe, expect, it } from "vitest";
import { errorName } from "../helpers/aws-target.js";
import { grpcClients } from "../helpers/grpc-client.js";
import { wrapForImport } from "../helpers/import-wrap.js";
import { type ServerProcess, startServer, TEST_ADMIN } from "../helpers/server-process.js";

/**
 * Expiry of imported key material through the real server's sweeper, per material: a key with
 * two materials, the older one expiring. The sweeper runs when the server starts (and every
 * minute after), so the test waits until `ValidTo` has passed and restarts the server on the same
 * data dir rather than waiting for the timer. The kms.v1 twin (ListKeyVersions over grpc-js)
 * reports the same per-material state.
 */
let server: ServerProcess | undefined;
let kms: KMSClient | undefined;

afterAll(async () => {
  kms?.destroy();
  await server?.stop();
});

function client(url: string): KMSClient {
  kms?.destroy();
  kms = new KMSClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ADMIN.accessKeyId, secretAccessKey: TEST_ADMIN.secretAccessKey },
  });
  return kms;
}

async function importInto(
  c: KMSClient,
  keyId: string,
  material: Buffer,
  more: { validForSeconds?: number; New?: boolean; keyMaterialId?: string } = {},
) {
  const params = await c.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: "RSAES_OAEP_SHA_256",
      WrappingKeySpec: "RSA_2048",
    }),
  );
  // ValidTo is taken after the wrapping key is made (slow on a loaded machine), in whole seconds as AWS has it.
  const validTo = more.validForSeconds
    ? new Date((Math.floor(Date.now() / 1000) + more.validForSeconds) * 1000)
    : undefined;
  const out = await c.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapForImport("RSAES_OAEP_SHA_256", params.PublicKey!, material),
      ...(validTo
        ? { ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: validTo }
        : { ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
      ...(more.New ? { ImportType: "NEW_KEY_MATERIAL" } : {}),
      ...(more.keyMaterialId ? { KeyMaterialId: more.keyMaterialId } : {}),
    }),
  );
  return { ...out, validTo };
}
describe("expiry of one imported material through the real server", () => {
  it("takes only that material: the key is PendingImport until it is re-imported; both ciphertexts open again", async () => {
    server = await startServer({ timeoutMs: 120_000 });
    let c = client(server.url);
    const keyId = (await c.send(new CreateKeyCommand({ Origin: "EXTERNAL" }))).KeyMetadata!.KeyId!;
    const first = randomBytes(32);
    const a = (await importInto(c, keyId, first)).KeyMaterialId!;
    const underA = await c.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("under a") }));
    const b = (await importInto(c, keyId, randomBytes(32), { New: true })).KeyMaterialId!;
    await c.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const underB = await c.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("under b") }));
    // Re-importing the same material sets new terms: now the older material expires, in seconds.
    const reimported = await importInto(c, keyId, first, { validForSeconds: 10, keyMaterialId: a });
    expect(reimported.KeyMaterialId).toBe(a);
    const validTo = reimported.validTo!;

    while (Date.now() <= validTo.getTime()) await new Promise((r) => setTimeout(r, validTo.getTime() - Date.now() + 5));
    const dataDir = server.dataDir;
    c.destroy();
    kms = undefined;
    await server.stop();
    server = await startServer({ dataDir, timeoutMs: 120_000 });
    c = client(server.url);
    const state = async () => (await c.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    for (let s = await state(); s.KeyState !== "PendingImport"; s = await state()) {
      expect(s.KeyState).toBe("Enabled");
      await new Promise((r) => setTimeout(r, 50));
    }

    const listed = (await c.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" })))
      .Rotations!;
    expect(listed.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState, r.ExpirationModel])).toEqual([
      [a, "NON_CURRENT", "PENDING_IMPORT", undefined],
      [b, "CURRENT", "IMPORTED", "KEY_MATERIAL_DOES_NOT_EXPIRE"],
    ]);
    expect(listed[0]).not.toHaveProperty("ValidTo");
    const grpc = grpcClients(server.url);
    try {
      const versions = (await grpc.keys.ListKeyVersions({ keyId })).keyVersions;
      expect(versions.map((v) => [v.keyVersionId, v.keyMaterialState, v.importState, v.expirationModel])).toEqual([
        [a, "KEY_MATERIAL_STATE_NON_CURRENT", "IMPORT_STATE_PENDING_IMPORT", "EXPIRATION_MODEL_UNSPECIFIED"],
        [b, "KEY_MATERIAL_STATE_CURRENT", "IMPORT_STATE_IMPORTED", "EXPIRATION_MODEL_KEY_MATERIAL_DOES_NOT_EXPIRE"],
      ]);
    } finally {
      grpc.close();
    }
    for (const blob of [underA, underB]) {
      expect(await errorName(c.send(new DecryptCommand({ CiphertextBlob: blob.CiphertextBlob })))).toBe(
        "KMSInvalidStateException",
      );
    }

    expect(await errorName(importInto(c, keyId, randomBytes(32)))).toBe("IncorrectKeyMaterialException");
    const back = await importInto(c, keyId, first);
    expect(back.KeyMaterialId).toBe(a);
    expect((await state()).KeyState).toBe("Enabled");
    for (const [blob, text] of [
      [underA, "under a"],
      [underB, "under b"],
    ] as const) {
      const out = await c.send(new DecryptCommand({ CiphertextBlob: blob.CiphertextBlob }));
      expect(Buffer.from(out.Plaintext!).toString()).toBe(text);
    }
  }, 300_000);
});
