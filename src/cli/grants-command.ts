import { create } from "@bufbuild/protobuf";
import { CreateGrantResponseSchema, ListGrantsResponseSchema } from "../../gen/kms/v1/key_service_pb.js";
import type { Grant } from "../../gen/kms/v1/types_pb.js";
import { flag, UsageError } from "./client-args.js";
import { allPages, clientCommand, type Subcommand } from "./client-command.js";
import { CONNECTION_HELP, OUTPUT_HELP } from "./help-text.js";
import { fieldTable, listFormat, outputFormat, printMessage, type Table, when } from "./output.js";

const HELP = `usage: kms grants SUBCOMMAND [arguments] [options]

Grants let a principal use a key without a policy change, optionally only under an encryption
context. The grant token printed by create works at once in grant_tokens.

  kms grants create KEY --grantee P --operations Encrypt,Decrypt,...
                    [--retiring P] [--name N] [--context-equals k=v ...] [--context-subset k=v ...]
  kms grants list KEY [--grantee P]      a key's grants
  kms grants revoke KEY GRANT_ID         needs kms:RevokeGrant on the key
  kms grants retire KEY GRANT_ID         as the grantee or the retiring principal
  kms grants retire --grant-token T

Operations: Decrypt, Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext,
GenerateDataKeyPair, GenerateDataKeyPairWithoutPlaintext, ReEncryptFrom, ReEncryptTo, Sign,
Verify, GetPublicKey, GenerateMac, VerifyMac, DescribeKey, CreateGrant, RetireGrant.

Options:
${OUTPUT_HELP}  (lists: a table on a terminal, json otherwise; create: json)
${CONNECTION_HELP}`;

function grantsTable(grants: Grant[]): Table {
  return {
    headers: ["GRANT ID", "GRANTEE", "OPERATIONS", "CONSTRAINTS", "NAME", "CREATED"],
    rows: grants.map((g) => [
      g.grantId,
      g.granteePrincipal,
      g.operations.join(","),
      constraintsText(g),
      g.name,
      when(g.createTime),
    ]),
  };
}

function constraintsText(g: Grant): string {
  const pairs = (m: Record<string, string>) =>
    Object.entries(m)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  const c = g.constraints;
  if (!c) return "";
  const parts = [];
  if (Object.keys(c.encryptionContextEquals).length > 0) parts.push(`equals ${pairs(c.encryptionContextEquals)}`);
  if (Object.keys(c.encryptionContextSubset).length > 0) parts.push(`subset ${pairs(c.encryptionContextSubset)}`);
  return parts.join("; ");
}

/** `--NAME k=v` pairs as a map; a key given twice is a usage mistake. */
function pairsOf(values: readonly string[] | undefined, option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${option} wants key=value, got "${pair}"`);
    const key = pair.slice(0, eq);
    if (Object.hasOwn(out, key)) throw new UsageError(`--${option} ${key} given twice`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  create: {
    flags: ["grantee", "operations", "retiring", "name", "context-equals", "context-subset", "output"],
    positionals: ["KEY"],
    async run({ client, parsed, io }) {
      const grantee = flag(parsed, "grantee");
      const operations = (flag(parsed, "operations") ?? "").split(",").filter((op) => op !== "");
      if (!grantee || operations.length === 0) {
        throw new UsageError("kms grants create needs --grantee P and --operations Op1,Op2,...");
      }
      const equals = pairsOf(parsed.flags.get("context-equals"), "context-equals");
      const subset = pairsOf(parsed.flags.get("context-subset"), "context-subset");
      const constrained = Object.keys(equals).length + Object.keys(subset).length > 0;
      const res = await client.keys.createGrant({
        keyId: parsed.positionals[0]!,
        granteePrincipal: grantee,
        retiringPrincipal: flag(parsed, "retiring") ?? "",
        operations,
        name: flag(parsed, "name") ?? "",
        ...(constrained ? { constraints: { encryptionContextEquals: equals, encryptionContextSubset: subset } } : {}),
      });
      printMessage(io.stdout, io.env, outputFormat(parsed, "json"), CreateGrantResponseSchema, res, (r) =>
        fieldTable({ grantId: r.grantId, grantToken: r.grantToken }),
      );
    },
  },
  list: {
    flags: ["grantee", "output"],
    positionals: ["KEY"],
    async run({ client, parsed, io }) {
      const grants = await allPages(async (pageToken) => {
        const page = await client.keys.listGrants({
          keyId: parsed.positionals[0]!,
          granteePrincipal: flag(parsed, "grantee") ?? "",
          pageSize: 1000,
          pageToken,
        });
        return { items: page.grants, next: page.nextPageToken };
      });
      const res = create(ListGrantsResponseSchema, { grants });
      printMessage(io.stdout, io.env, listFormat(parsed, io.stdout), ListGrantsResponseSchema, res, (r) =>
        grantsTable(r.grants),
      );
    },
  },
  revoke: {
    flags: [],
    positionals: ["KEY", "GRANT_ID"],
    async run({ client, parsed, io }) {
      const [keyId, grantId] = parsed.positionals as [string, string];
      await client.keys.revokeGrant({ keyId, grantId });
      io.stdout.write(`revoked grant ${grantId}\n`);
    },
  },
  retire: {
    flags: ["grant-token"],
    positionals: ["[KEY", "GRANT_ID]"],
    optional: 2,
    async run({ client, parsed, io }) {
      const grantToken = flag(parsed, "grant-token") ?? "";
      const [keyId = "", grantId = ""] = parsed.positionals;
      if ((grantToken === "") === (grantId === "")) {
        throw new UsageError("kms grants retire takes KEY GRANT_ID or --grant-token T (one of them)");
      }
      await client.keys.retireGrant({ grantToken, keyId, grantId });
      io.stdout.write(`retired grant${grantId ? ` ${grantId}` : ""}\n`);
    },
  },
};

/** `kms grants …`: create, list, revoke and retire a key's grants on a running KMS. */
export const command = clientCommand("grants", HELP, SUBCOMMANDS);
