import { type DescMessage, type MessageShape, toJson } from "@bufbuild/protobuf";
import {
  CreateKeyResponseSchema,
  DescribeKeyResponseSchema,
  DisableKeyResponseSchema,
  EnableKeyResponseSchema,
  ListKeysResponseSchema,
  RotateKeyResponseSchema,
} from "../../gen/kms/v1/key_service_pb.js";
import { type KeyMetadata, KeyOrigin, KeySpec, KeyUsage } from "../../gen/kms/v1/types_pb.js";
import { KEY_ORIGINS } from "../domain/key-import.js";
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
import { isName, KEY_USAGES, namesOf, type WireNames } from "../domain/algorithms.js";
import { KEY_SPEC_NAMES, KEY_SPECS } from "../domain/specs.js";

/** The synopsis printed with a usage mistake. */
export const KEYS_USAGE = `kms keys list
  kms keys create [--description D] [--spec ${KEY_SPEC_NAMES.join("|")}]
                  [--usage ${namesOf(KEY_USAGES).join("|")}] [--origin ${namesOf(KEY_ORIGINS).join("|")}]
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
    const parsed = parseArgs(rest, ["description", "spec", "usage", "origin", ...CONNECTION_FLAGS]);
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
        const origin = flag(parsed, "origin");
        const res = await keys.createKey({
          description: flag(parsed, "description") ?? "",
          keySpec:
            spec === undefined ? KeySpec.UNSPECIFIED : (enumValue(KEY_SPECS, "KEY_SPEC_", spec, "--spec") as KeySpec),
          keyUsage:
            usage === undefined
              ? KeyUsage.UNSPECIFIED
              : (enumValue(KEY_USAGES, "KEY_USAGE_", usage, "--usage") as KeyUsage),
          origin:
            origin === undefined
              ? KeyOrigin.UNSPECIFIED
              : (enumValue(KEY_ORIGINS, "KEY_ORIGIN_", origin, "--origin") as KeyOrigin),
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

/**
 * `AES_256` or `KEY_SPEC_AES_256` → the `kms.v1` enum value of the catalogue's row
 * (`src/domain/specs.ts`); `UNSPECIFIED` and unknown names are refused.
 */
function enumValue(table: Record<string, WireNames>, prefix: string, name: string, option: string): number {
  const upper = name.toUpperCase();
  const short = upper.startsWith(prefix) ? upper.slice(prefix.length) : upper;
  const proto = isName(table, short) ? table[short]!.proto : undefined;
  if (proto === undefined) throw new UsageError(`${option} must be one of ${namesOf(table).join(", ")}`);
  return proto;
}
