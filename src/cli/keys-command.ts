import { type DescMessage, type MessageShape, toJson } from "@bufbuild/protobuf";
import {
  CreateKeyResponseSchema,
  DescribeKeyResponseSchema,
  DisableKeyResponseSchema,
  EnableKeyResponseSchema,
  ListKeysResponseSchema,
  RotateKeyResponseSchema,
} from "../../gen/kms/v1/key_service_pb.js";
import { type KeyMetadata, KeySpec, KeyUsage } from "../../gen/kms/v1/types_pb.js";
import { create } from "@bufbuild/protobuf";
import {
  CONNECTION_FLAGS,
  clientFrom,
  DEFAULT_ENDPOINT,
  describeFailure,
  flag,
  type ParsedArgs,
  parseArgs,
  UsageError,
} from "./client-args.js";
import type { CommandIo } from "./encrypt-command.js";

/** The synopsis printed with a usage mistake. */
export const KEYS_USAGE = `kms keys list
  kms keys create [--description D] [--spec AES_256|RSA_2048|RSA_3072|RSA_4096|EC_P256|EC_P256K|HMAC_256]
                  [--usage ENCRYPT_DECRYPT|SIGN_VERIFY|GENERATE_VERIFY_MAC]
  kms keys describe|rotate|disable|enable KEY
  (all take [--endpoint URL] [--token T]; output is the response as proto3 JSON)`;

/**
 * `kms keys …`: everyday key management over the typed client. Each subcommand prints the RPC's
 * response as canonical proto3 JSON (the same field names and enum spellings as Connect JSON and
 * `buf curl`, with default values included so scripts can rely on every field), pretty-printed
 * on stdout. `list` follows every page and prints one `{"keys": [...]}`.
 */
export async function keysCommand(args: string[], io: CommandIo): Promise<number> {
  let endpoint = io.env.KMS_ENDPOINT ?? DEFAULT_ENDPOINT;
  try {
    const [sub, ...rest] = args;
    const parsed = parseArgs(rest, ["description", "spec", "usage", ...CONNECTION_FLAGS]);
    const conn = clientFrom(parsed, io.env);
    endpoint = conn.endpoint;
    const { keys } = conn.client;
    const print = <D extends DescMessage>(schema: D, msg: MessageShape<D>) => {
      io.stdout.write(`${JSON.stringify(toJson(schema, msg, { alwaysEmitImplicit: true }), null, 2)}\n`);
    };
    switch (sub) {
      case "list": {
        onlyPositionals(parsed, 0);
        const all: KeyMetadata[] = [];
        let pageToken = "";
        do {
          const page = await keys.listKeys({ pageSize: 1000, pageToken });
          all.push(...page.keys);
          pageToken = page.nextPageToken;
        } while (pageToken !== "");
        print(ListKeysResponseSchema, create(ListKeysResponseSchema, { keys: all }));
        return 0;
      }
      case "create": {
        onlyPositionals(parsed, 0);
        const spec = flag(parsed, "spec");
        const usage = flag(parsed, "usage");
        const res = await keys.createKey({
          description: flag(parsed, "description") ?? "",
          keySpec: spec === undefined ? KeySpec.UNSPECIFIED : enumValue(KeySpec, "KEY_SPEC_", spec, "--spec"),
          keyUsage: usage === undefined ? KeyUsage.UNSPECIFIED : enumValue(KeyUsage, "KEY_USAGE_", usage, "--usage"),
        });
        print(CreateKeyResponseSchema, res);
        return 0;
      }
      case "describe":
        print(DescribeKeyResponseSchema, await keys.describeKey({ keyId: onlyPositionals(parsed, 1) }));
        return 0;
      case "rotate":
        print(RotateKeyResponseSchema, await keys.rotateKey({ keyId: onlyPositionals(parsed, 1) }));
        return 0;
      case "disable":
        print(DisableKeyResponseSchema, await keys.disableKey({ keyId: onlyPositionals(parsed, 1) }));
        return 0;
      case "enable":
        print(EnableKeyResponseSchema, await keys.enableKey({ keyId: onlyPositionals(parsed, 1) }));
        return 0;
      default:
        throw new UsageError(
          `${sub === undefined ? "missing subcommand" : `unknown subcommand ${sub}`}\n${KEYS_USAGE}`,
        );
    }
  } catch (err) {
    io.stderr.write(`kms: ${describeFailure(err, endpoint)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

/** Checks the number of positionals (0, or 1 = the key) and returns the key. */
function onlyPositionals(parsed: ParsedArgs, n: 0 | 1): string {
  if (parsed.positionals.length !== n) {
    throw new UsageError(
      n === 1
        ? `expected one KEY (id, ARN or alias/NAME)\n${KEYS_USAGE}`
        : `unexpected argument ${parsed.positionals[0]}`,
    );
  }
  return parsed.positionals[0] ?? "";
}

/** `AES_256` or `KEY_SPEC_AES_256` → the enum value; `UNSPECIFIED` and unknown names are refused. */
function enumValue<E extends Record<string, string | number>>(
  e: E,
  prefix: string,
  name: string,
  option: string,
): E[keyof E] {
  const short = name.toUpperCase().startsWith(prefix) ? name.toUpperCase().slice(prefix.length) : name.toUpperCase();
  const value = e[short as keyof E];
  if (typeof value !== "number" || short === "UNSPECIFIED") {
    const allowed = Object.keys(e).filter((k) => Number.isNaN(Number(k)) && k !== "UNSPECIFIED");
    throw new UsageError(`${option} must be one of ${allowed.join(", ")}`);
  }
  return value;
}
