import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectGrpcError, type GrpcClients, grpcClients } from "../helpers/grpc-client.js";
import { WRAPPING_ALGORITHM_NAMES, type WrappingAlgorithmName, wrapForImport } from "../helpers/import-wrap.js";
import { type ServerProcess, startServer } from "../helpers/server-process.js";

/**
 * The kms.v1 twins of the import operations through an independent gRPC peer (grpc-js +
 * proto-loader) against the real server process: the material is wrapped client-side with
 * node:crypto for every wrapping algorithm.
 */
let server: ServerProcess;
let c: GrpcClients;

beforeAll(async () => {
  server = await startServer();
  c = grpcClients(server.url);
});

afterAll(async () => {
  c?.close();
  await server?.stop();
});

async function importInto(keyId: string, material: Buffer, algorithm: WrappingAlgorithmName, extra = {}) {
  const params = await c.keys.GetParametersForImport({
    keyId,
    wrappingAlgorithm: `WRAPPING_ALGORITHM_${algorithm}`,
    wrappingKeySpec: "WRAPPING_KEY_SPEC_RSA_2048",
  });
  expect(params.keyId).toBe(keyId);
  return c.keys.ImportKeyMaterial({
    keyId,
    importToken: params.importToken,
    encryptedKeyMaterial: wrapForImport(algorithm, params.publicKey, material),
    ...extra,
  });
}

describe("KeyService import RPCs", () => {
  for (const algorithm of WRAPPING_ALGORITHM_NAMES) {
    it(`imports with ${algorithm}; Encrypt works; delete → PENDING_IMPORT; only the same material re-imports`, async () => {
      const { key } = await c.keys.CreateKey({ origin: "KEY_ORIGIN_EXTERNAL" });
      expect(key.keyState).toBe("KEY_STATE_PENDING_IMPORT");
      expect(key.origin).toBe("KEY_ORIGIN_EXTERNAL");
      expect(key.currentKeyMaterialId).toBe("");
      await expectGrpcError(
        c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from("x") }),
        grpc.status.FAILED_PRECONDITION,
        "KMSInvalidStateException",
      );
      const material = randomBytes(32);
      const validTo = { seconds: String(Math.floor(Date.now() / 1000) + 86_400), nanos: 0 };
      const imported = await importInto(key.keyId, material, algorithm, {
        expirationModel: "EXPIRATION_MODEL_KEY_MATERIAL_EXPIRES",
        validTo,
      });
      expect(imported.key.keyState).toBe("KEY_STATE_ENABLED");
      expect(imported.key.expirationModel).toBe("EXPIRATION_MODEL_KEY_MATERIAL_EXPIRES");
      expect(imported.key.validTo?.seconds).toBe(validTo.seconds);
      expect(imported.key.currentKeyMaterialId).toBe(imported.keyMaterialId);
      const enc = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from("before") });

      const deleted = await c.keys.DeleteImportedKeyMaterial({ keyId: key.keyId });
      expect(deleted.key.keyState).toBe("KEY_STATE_PENDING_IMPORT");
      await expectGrpcError(
        c.crypto.AdvanceDecrypt({ ciphertextBlob: enc.ciphertextBlob }),
        grpc.status.FAILED_PRECONDITION,
        "KMSInvalidStateException",
      );
      await expectGrpcError(
        importInto(key.keyId, randomBytes(32), algorithm),
        grpc.status.INVALID_ARGUMENT,
        "IncorrectKeyMaterialException",
      );
      await importInto(key.keyId, material, algorithm);
      const dec = await c.crypto.AdvanceDecrypt({ ciphertextBlob: enc.ciphertextBlob });
      expect(dec.plaintext.toString()).toBe("before");
    });
  }

  it("names materials: key_material_id on import and delete, descriptions and per-material state in ListKeyVersions", async () => {
    const { key } = await c.keys.CreateKey({ origin: "KEY_ORIGIN_EXTERNAL" });
    const first = randomBytes(32);
    const second = randomBytes(32);
    const a = (await importInto(key.keyId, first, "RSAES_OAEP_SHA_256", { keyMaterialDescription: "first" }))
      .keyMaterialId;
    const underA = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from("a") });
    const validTo = { seconds: String(Math.floor(Date.now() / 1000) + 86_400), nanos: 0 };
    const b = (
      await importInto(key.keyId, second, "RSAES_OAEP_SHA_256", {
        importType: "IMPORT_TYPE_NEW_KEY_MATERIAL",
        expirationModel: "EXPIRATION_MODEL_KEY_MATERIAL_EXPIRES",
        validTo,
      })
    ).keyMaterialId;
    const versions = async () => (await c.keys.ListKeyVersions({ keyId: key.keyId })).keyVersions;
    expect(
      (await versions()).map((v) => [
        v.keyVersionId,
        v.keyMaterialState,
        v.importState,
        v.expirationModel,
        v.validTo?.seconds ?? null,
        v.keyMaterialDescription,
      ]),
    ).toEqual([
      [
        a,
        "KEY_MATERIAL_STATE_CURRENT",
        "IMPORT_STATE_IMPORTED",
        "EXPIRATION_MODEL_KEY_MATERIAL_DOES_NOT_EXPIRE",
        null,
        "first",
      ],
      [
        b,
        "KEY_MATERIAL_STATE_PENDING_ROTATION",
        "IMPORT_STATE_IMPORTED",
        "EXPIRATION_MODEL_KEY_MATERIAL_EXPIRES",
        validTo.seconds,
        "",
      ],
    ]);
    await c.keys.RotateKey({ keyId: key.keyId });
    const underB = await c.crypto.AdvanceEncrypt({ keyId: key.keyId, plaintext: Buffer.from("b") });

    const deleted = await c.keys.DeleteImportedKeyMaterial({ keyId: key.keyId, keyMaterialId: a });
    expect(deleted.keyMaterialId).toBe(a);
    expect(deleted.key.keyState).toBe("KEY_STATE_PENDING_IMPORT");
    expect((await versions()).map((v) => [v.keyMaterialState, v.importState])).toEqual([
      ["KEY_MATERIAL_STATE_NON_CURRENT", "IMPORT_STATE_PENDING_IMPORT"],
      ["KEY_MATERIAL_STATE_CURRENT", "IMPORT_STATE_IMPORTED"],
    ]);
    await expectGrpcError(
      c.crypto.AdvanceDecrypt({ ciphertextBlob: underB.ciphertextBlob }),
      grpc.status.FAILED_PRECONDITION,
      "KMSInvalidStateException",
    );
    await expectGrpcError(
      importInto(key.keyId, second, "RSAES_OAEP_SHA_1", { keyMaterialId: a }),
      grpc.status.INVALID_ARGUMENT,
      "IncorrectKeyMaterialException",
    );
    await expectGrpcError(
      importInto(key.keyId, first, "RSAES_OAEP_SHA_1", { keyMaterialId: "no-such-material" }),
      grpc.status.NOT_FOUND,
      "NotFoundException",
    );
    await expectGrpcError(
      c.keys.DeleteImportedKeyMaterial({ keyId: key.keyId, keyMaterialId: "no-such-material" }),
      grpc.status.NOT_FOUND,
      "NotFoundException",
    );
    const back = await importInto(key.keyId, first, "RSAES_OAEP_SHA_1", { keyMaterialId: a });
    expect(back.key.keyState).toBe("KEY_STATE_ENABLED");
    expect((await versions())[0]!.keyMaterialDescription).toBe("first");
    for (const [blob, text] of [
      [underA.ciphertextBlob, "a"],
      [underB.ciphertextBlob, "b"],
    ] as const) {
      expect((await c.crypto.AdvanceDecrypt({ ciphertextBlob: blob })).plaintext.toString()).toBe(text);
    }
  });

  it("refuses the import RPCs on a generated key and an import token of another key", async () => {
    const { key: generated } = await c.keys.CreateKey({});
    expect(generated.origin).toBe("KEY_ORIGIN_AWS_KMS");
    await expectGrpcError(
      c.keys.GetParametersForImport({
        keyId: generated.keyId,
        wrappingAlgorithm: "WRAPPING_ALGORITHM_RSAES_OAEP_SHA_256",
        wrappingKeySpec: "WRAPPING_KEY_SPEC_RSA_2048",
      }),
      grpc.status.FAILED_PRECONDITION,
      "UnsupportedOperationException",
    );
    const { key: a } = await c.keys.CreateKey({ origin: "KEY_ORIGIN_EXTERNAL" });
    const { key: b } = await c.keys.CreateKey({ origin: "KEY_ORIGIN_EXTERNAL" });
    const params = await c.keys.GetParametersForImport({
      keyId: a.keyId,
      wrappingAlgorithm: "WRAPPING_ALGORITHM_RSAES_OAEP_SHA_1",
      wrappingKeySpec: "WRAPPING_KEY_SPEC_RSA_2048",
    });
    await expectGrpcError(
      c.keys.ImportKeyMaterial({
        keyId: b.keyId,
        importToken: params.importToken,
        encryptedKeyMaterial: wrapForImport("RSAES_OAEP_SHA_1", params.publicKey, randomBytes(32)),
      }),
      grpc.status.INVALID_ARGUMENT,
      "InvalidImportTokenException",
    );
    await expectGrpcError(
      c.keys.GetParametersForImport({ keyId: a.keyId, wrappingKeySpec: "WRAPPING_KEY_SPEC_RSA_2048" }),
      grpc.status.INVALID_ARGUMENT,
      "ValidationException",
    );
  });
});
