import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import {
  CancelKeyDeletionResponseSchema,
  CreateKeyResponseSchema,
  DescribeKeyResponseSchema,
  DisableKeyResponseSchema,
  EnableKeyResponseSchema,
  ListKeysResponseSchema,
  RotateKeyResponseSchema,
  ScheduleKeyDeletionResponseSchema,
} from "../../gen/kms/v1/key_service_pb.js";
import { type KeyMetadata, KeyOrigin, KeySpec, KeyState, KeyUsage } from "../../gen/kms/v1/types_pb.js";
import { isName, KEY_USAGES, namesOf, type WireNames } from "../domain/algorithms.js";
import { KEY_ORIGINS } from "../domain/key-import.js";
import { KEY_SPEC_NAMES, KEY_SPECS } from "../domain/specs.js";
import { flag, UsageError } from "./client-args.js";
import { allPages, type ClientContext, clientCommand, type Subcommand } from "./client-command.js";
import { CONNECTION_HELP, OUTPUT_HELP } from "./help-text.js";
import { enumName, fieldTable, listFormat, outputFormat, printMessage, type Table, when } from "./output.js";

/** The help of `kms keys`. */
export const KEYS_HELP = `usage: kms keys SUBCOMMAND [arguments] [options]

Everyday key management on a running KMS. KEY is a key id, key ARN or alias/NAME.

  kms keys list                          every key (a table on a terminal)
  kms keys create [--description D] [--spec ${KEY_SPEC_NAMES.join("|")}]
                  [--usage ${namesOf(KEY_USAGES).join("|")}] [--origin ${namesOf(KEY_ORIGINS).join("|")}]
  kms keys describe KEY
  kms keys rotate KEY                    a new primary version; older ones still decrypt
  kms keys enable KEY | kms keys disable KEY
  kms keys schedule-deletion KEY [--days 7..30]   (default 30)
  kms keys cancel-deletion KEY           the key returns to DISABLED

Options:
${OUTPUT_HELP}  (lists: a table on a terminal, json otherwise; the others: json)
${CONNECTION_HELP}`;

/** The list's columns: enough to pick a key; `describe` has the rest. */
function keysTable(keys: KeyMetadata[]): Table {
  return {
    headers: ["KEY ID", "STATE", "SPEC", "USAGE", "CREATED", "DESCRIPTION"],
    rows: keys.map((k) => [
      k.keyId,
      enumName(KeyState, k.keyState),
      enumName(KeySpec, k.keySpec),
      enumName(KeyUsage, k.keyUsage),
      when(k.createTime),
      k.description.length > 40 ? `${k.description.slice(0, 39)}…` : k.description,
    ]),
  };
}

/** One key as FIELD / VALUE rows. */
export function keyTable(k: KeyMetadata | undefined): Table {
  if (!k) return fieldTable({});
  return fieldTable({
    keyId: k.keyId,
    arn: k.arn,
    state: enumName(KeyState, k.keyState),
    spec: enumName(KeySpec, k.keySpec),
    usage: enumName(KeyUsage, k.keyUsage),
    origin: enumName(KeyOrigin, k.origin),
    description: k.description,
    created: when(k.createTime),
    deletion: when(k.deletionTime),
    primaryVersion: k.primaryKeyVersionId,
    automaticRotation: String(k.automaticRotation),
    tags: Object.entries(k.tags)
      .map(([t, v]) => `${t}=${v}`)
      .join(","),
  });
}

const KEY = ["KEY"] as const;

/** A subcommand that calls one RPC on KEY and prints its response, whose `key` the table shows. */
function onKey<D extends DescMessage>(
  schema: D,
  call: (ctx: ClientContext, keyId: string) => Promise<MessageShape<D> & { key?: KeyMetadata }>,
  flags: readonly string[] = [],
): Subcommand {
  return {
    flags: ["output", ...flags],
    positionals: KEY,
    async run(ctx) {
      const res = await call(ctx, ctx.parsed.positionals[0]!);
      printMessage(ctx.io.stdout, ctx.io.env, outputFormat(ctx.parsed, "json"), schema, res, () => keyTable(res.key));
    },
  };
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  list: {
    flags: ["output"],
    positionals: [],
    async run({ client, parsed, io }) {
      const keys = await allPages(async (pageToken) => {
        const page = await client.keys.listKeys({ pageSize: 1000, pageToken });
        return { items: page.keys, next: page.nextPageToken };
      });
      printMessage(
        io.stdout,
        io.env,
        listFormat(parsed, io.stdout),
        ListKeysResponseSchema,
        create(ListKeysResponseSchema, { keys }),
        (r) => keysTable(r.keys),
      );
    },
  },
  create: {
    flags: ["description", "spec", "usage", "origin", "output"],
    positionals: [],
    async run({ client, parsed, io }) {
      const spec = flag(parsed, "spec");
      const usage = flag(parsed, "usage");
      const origin = flag(parsed, "origin");
      const res = await client.keys.createKey({
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
      printMessage(io.stdout, io.env, outputFormat(parsed, "json"), CreateKeyResponseSchema, res, (r) =>
        keyTable(r.key),
      );
    },
  },
  describe: onKey(DescribeKeyResponseSchema, ({ client }, keyId) => client.keys.describeKey({ keyId })),
  rotate: onKey(RotateKeyResponseSchema, ({ client }, keyId) => client.keys.rotateKey({ keyId })),
  enable: onKey(EnableKeyResponseSchema, ({ client }, keyId) => client.keys.enableKey({ keyId })),
  disable: onKey(DisableKeyResponseSchema, ({ client }, keyId) => client.keys.disableKey({ keyId })),
  "schedule-deletion": onKey(
    ScheduleKeyDeletionResponseSchema,
    ({ client, parsed }, keyId) =>
      client.keys.scheduleKeyDeletion({ keyId, pendingWindowDays: days(flag(parsed, "days")) }),
    ["days"],
  ),
  "cancel-deletion": onKey(CancelKeyDeletionResponseSchema, ({ client }, keyId) =>
    client.keys.cancelKeyDeletion({ keyId }),
  ),
};

/** `--days 7..30`; absent means the service's default (30). The service checks the range too. */
function days(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^[0-9]{1,2}$/.test(text) || Number(text) < 7 || Number(text) > 30) {
    throw new UsageError(`--days must be a whole number of days from 7 to 30, got "${text}"`);
  }
  return Number(text);
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

/**
 * `kms keys …`: everyday key management over the typed client. Single-key subcommands print the
 * RPC's response as proto3 JSON by default; `list` follows every page and prints a table (or one
 * `{"keys": [...]}` with `--output json`).
 */
export const command = clientCommand("keys", KEYS_HELP, SUBCOMMANDS);
