import { readFile } from "node:fs/promises";
import { createPrivateKey, randomBytes } from "node:crypto";
import { toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ImportKeyMaterialResponseSchema } from "../../gen/kms/v1/key_service_pb.js";
import { wrapMaterialForImport } from "../crypto/import-wrapping.js";
import { isName, namesOf } from "../domain/algorithms.js";
import { EXPIRATION_MODELS, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from "../domain/key-import.js";
import {
  CONNECTION_FLAGS,
  clientFrom,
  DEFAULT_ENDPOINT,
  describeFailure,
  flag,
  parseArgs,
  UsageError,
} from "./client-args.js";
import type { CommandIo, CommandSpec } from "./command.js";
import { CONNECTION_HELP } from "./help-text.js";
import { printError } from "./terminal.js";

/** The synopsis printed with a usage mistake. */
export const IMPORT_USAGE = `kms import --key KEY --material FILE [--valid-to ISO-8601-TIME]
  [--algorithm ${namesOf(WRAPPING_ALGORITHMS).join("|")}] (default RSA_AES_KEY_WRAP_SHA_256)
  [--wrapping-key-spec ${namesOf(WRAPPING_KEY_SPECS).join("|")}] (default RSA_4096)
  [--endpoint URL] [--token T]
  FILE: the raw key bytes (AES_256: 32 bytes; HMAC_224: 28..64, HMAC_256: 32..64, HMAC_384: 48..128,
  HMAC_512: 64..128) or a PKCS#8 private key (DER or PEM)`;

/**
 * `kms import`: the whole bring-your-own-key exchange for a key created with origin EXTERNAL —
 * GetParametersForImport, wrapping the material here with the returned public key
 * (`src/crypto/import-wrapping.ts`, the same layout AWS documents), then ImportKeyMaterial — so
 * the material leaves this process only wrapped. Prints ImportKeyMaterial's response as proto3
 * JSON. Exit 0 on success, 2 on a usage mistake, 1 on any other failure, with one line on stderr.
 */
export async function importCommand(args: string[], io: CommandIo): Promise<number> {
  let endpoint = io.env.KMS_ENDPOINT ?? DEFAULT_ENDPOINT;
  let material: Buffer | undefined;
  try {
    const parsed = parseArgs(args, [
      "key",
      "material",
      "valid-to",
      "algorithm",
      "wrapping-key-spec",
      ...CONNECTION_FLAGS,
    ]);
    if (parsed.positionals.length > 0)
      throw new UsageError(`unexpected argument ${parsed.positionals[0]}\n${IMPORT_USAGE}`);
    const keyId = flag(parsed, "key");
    const file = flag(parsed, "material");
    if (!keyId || !file) throw new UsageError(`--key and --material are required\n${IMPORT_USAGE}`);
    const algorithm = choice(
      WRAPPING_ALGORITHMS,
      flag(parsed, "algorithm") ?? "RSA_AES_KEY_WRAP_SHA_256",
      "--algorithm",
    );
    const spec = choice(WRAPPING_KEY_SPECS, flag(parsed, "wrapping-key-spec") ?? "RSA_4096", "--wrapping-key-spec");
    const validTo = parseTime(flag(parsed, "valid-to"));
    const conn = clientFrom(parsed, io.env);
    endpoint = conn.endpoint;
    material = keyBytes(await readFile(file));
    const { keys } = conn.client;
    const params = await keys.getParametersForImport({
      keyId,
      wrappingAlgorithm: WRAPPING_ALGORITHMS[algorithm].proto,
      wrappingKeySpec: WRAPPING_KEY_SPECS[spec].proto,
    });
    const wrapped = wrapMaterialForImport(algorithm, Buffer.from(params.publicKey), material, randomBytes(32));
    const res = await keys.importKeyMaterial({
      keyId,
      importToken: params.importToken,
      encryptedKeyMaterial: wrapped,
      expirationModel: validTo
        ? EXPIRATION_MODELS.KEY_MATERIAL_EXPIRES.proto
        : EXPIRATION_MODELS.KEY_MATERIAL_DOES_NOT_EXPIRE.proto,
      validTo: validTo ? timestampFromDate(validTo) : undefined,
    });
    const out = toJson(ImportKeyMaterialResponseSchema, res, { alwaysEmitImplicit: true });
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  } catch (err) {
    printError(io.stderr, io.env, describeFailure(err, endpoint));
    return err instanceof UsageError ? 2 : 1;
  } finally {
    material?.fill(0);
  }
}

function choice<T extends Record<string, unknown>>(table: T, name: string, option: string): keyof T & string {
  const upper = name.toUpperCase();
  if (!isName(table, upper)) throw new UsageError(`${option} must be one of ${namesOf(table).join(", ")}`);
  return upper;
}

function parseTime(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`--valid-to must be an ISO 8601 time, e.g. 2030-01-31T00:00:00Z`);
  return date;
}

/** A PEM private key becomes PKCS#8 DER; anything else is sent as it is (the service checks it). */
function keyBytes(file: Buffer): Buffer {
  if (!file.subarray(0, 64).toString("latin1").includes("-----BEGIN")) return file;
  try {
    return createPrivateKey({ key: file, format: "pem" }).export({ format: "der", type: "pkcs8" });
  } catch {
    throw new UsageError("--material holds PEM text that is not a private key");
  } finally {
    file.fill(0);
  }
}

export const command: CommandSpec = {
  help: `usage: ${IMPORT_USAGE}

Bring your own key: for a key created with kms keys create --origin EXTERNAL, fetches the
wrapping parameters, wraps FILE's material here and imports it, so the material leaves this
process only wrapped. Prints ImportKeyMaterial's response as proto3 JSON.

${CONNECTION_HELP}`,
  words: ["--key", "--material", "--valid-to", "--algorithm", "--wrapping-key-spec", "--endpoint", "--token"],
  run: importCommand,
};
