import { create } from "@bufbuild/protobuf";
import {
  CreateAliasResponseSchema,
  ListAliasesResponseSchema,
  UpdateAliasResponseSchema,
} from "../../gen/kms/v1/key_service_pb.js";
import type { Alias } from "../../gen/kms/v1/types_pb.js";
import { allPages, clientCommand, type Subcommand } from "./client-command.js";
import { CONNECTION_HELP, OUTPUT_HELP } from "./help-text.js";
import { fieldTable, listFormat, outputFormat, printMessage, type Table, when } from "./output.js";

const HELP = `usage: kms aliases SUBCOMMAND [arguments] [options]

Friendly names for keys: every KEY argument of every command also accepts alias/NAME.

  kms aliases list [KEY]                 every alias, or only KEY's
  kms aliases create alias/NAME KEY      bind a new alias to a key
  kms aliases update alias/NAME KEY      point an existing alias at another key
  kms aliases delete alias/NAME          the key is untouched

Options:
${OUTPUT_HELP}  (lists: a table on a terminal, json otherwise; create/update: json)
${CONNECTION_HELP}`;

function aliasesTable(aliases: Alias[]): Table {
  return {
    headers: ["ALIAS", "TARGET KEY", "UPDATED"],
    rows: aliases.map((a) => [a.aliasName, a.targetKeyId, when(a.updateTime ?? a.createTime)]),
  };
}

function aliasTable(a: Alias | undefined): Table {
  return fieldTable(
    a ? { alias: a.aliasName, arn: a.aliasArn, targetKeyId: a.targetKeyId, updated: when(a.updateTime) } : {},
  );
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  list: {
    flags: ["output"],
    positionals: ["[KEY]"],
    optional: 1,
    async run({ client, parsed, io }) {
      const keyId = parsed.positionals[0] ?? "";
      const aliases = await allPages(async (pageToken) => {
        const page = await client.keys.listAliases({ keyId, pageSize: 1000, pageToken });
        return { items: page.aliases, next: page.nextPageToken };
      });
      const res = create(ListAliasesResponseSchema, { aliases });
      printMessage(io.stdout, io.env, listFormat(parsed, io.stdout), ListAliasesResponseSchema, res, (r) =>
        aliasesTable(r.aliases),
      );
    },
  },
  create: {
    flags: ["output"],
    positionals: ["alias/NAME", "KEY"],
    async run({ client, parsed, io }) {
      const [aliasName, keyId] = parsed.positionals as [string, string];
      const res = await client.keys.createAlias({ aliasName, keyId });
      printMessage(io.stdout, io.env, outputFormat(parsed, "json"), CreateAliasResponseSchema, res, (r) =>
        aliasTable(r.alias),
      );
    },
  },
  update: {
    flags: ["output"],
    positionals: ["alias/NAME", "KEY"],
    async run({ client, parsed, io }) {
      const [aliasName, keyId] = parsed.positionals as [string, string];
      const res = await client.keys.updateAlias({ aliasName, keyId });
      printMessage(io.stdout, io.env, outputFormat(parsed, "json"), UpdateAliasResponseSchema, res, (r) =>
        aliasTable(r.alias),
      );
    },
  },
  delete: {
    flags: [],
    positionals: ["alias/NAME"],
    async run({ client, parsed, io }) {
      await client.keys.deleteAlias({ aliasName: parsed.positionals[0]! });
      io.stdout.write(`deleted ${parsed.positionals[0]}\n`);
    },
  },
};

/** `kms aliases …`: list, create, update and delete aliases on a running KMS. */
export const command = clientCommand("aliases", HELP, SUBCOMMANDS);
