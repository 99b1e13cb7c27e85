import { setTimeout as sleep } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { AuditOutcome, type AuditRecord, ListAuditRecordsResponseSchema } from "../../gen/kms/v1/admin_service_pb.js";
import { wholeChain } from "../core/admin/audit-trail.js";
import { type AuditVerification, verifyAuditChain } from "../security/audit-chain.js";
import { withAdminState, splitArgs } from "./admin-context.js";
import { flag, UsageError } from "./client-args.js";
import { clientCommand, type Subcommand } from "./client-command.js";
import type { CommandIo, CommandSpec } from "./command.js";
import { ADMIN_CONFIG_HELP, CONNECTION_HELP, OUTPUT_HELP } from "./help-text.js";
import { enumName, listFormat, printMessage, type Table, when } from "./output.js";

const HELP = `usage: kms audit SUBCOMMAND [options]

Every authenticated call is appended to a hash-chained audit trail (docs/security.md).

  kms audit verify [--expect-head [SEQ:]HASH] [config flags]
      Walks the whole chain in the database. Exit 0 when intact, printing its head (seq and
      hash) to note somewhere else; exit 1 naming the first bad record. A chain alone cannot
      show that its newest records were deleted: --expect-head with a head noted earlier does.
      Give it as SEQ:HASH to tell a truncated chain from a value that is not a head of it.
  kms audit tail [-n N] [--follow] [--principal P] [--key KEY_ID] [--operation OP]
      The newest N records (default 20), oldest first, from a running KMS (an admin token);
      --follow keeps printing new ones until Ctrl-C.

verify options: ${ADMIN_CONFIG_HELP}
tail options:
${OUTPUT_HELP}  (default: a table on a terminal, json otherwise)
${CONNECTION_HELP}`;

const HEAD = /^(?:([0-9]{1,15}):)?([0-9a-fA-F]{64})$/;

/** `--expect-head HASH` or `SEQ:HASH`; anything else cannot be a head of any chain. */
function parseHead(value: string): { seq?: number; hash: string } {
  const m = HEAD.exec(value);
  if (!m) {
    throw new UsageError(
      `--expect-head ${value} is not a head of this chain: a head is the 64-hex-digit hash (or SEQ:HASH) that kms audit verify prints`,
    );
  }
  return { hash: m[2]!.toLowerCase(), ...(m[1] !== undefined ? { seq: Number(m[1]) } : {}) };
}

/**
 * What `kms audit verify` prints about a chain that fails, as one line. An expected head that is
 * none of the chain's records is told apart as far as the chain allows: the chain verified up to
 * its last record; with the head's seq, a seq past that record means the records from there were
 * deleted, and a seq at or before it means that record has another hash — the value is not a head
 * of this chain (or the chain was rewritten from there). Without a seq the two cannot be told
 * apart, and the line says so rather than guessing.
 */
function describe(result: Exclude<AuditVerification, { ok: true }>, expected?: { seq?: number; hash: string }): string {
  const at = `audit chain broken at record ${result.seq}:`;
  switch (result.problem) {
    case "hash":
      return `${at} its content does not match its hash (changed)`;
    case "link":
      return `${at} it does not follow the record before it (a record was deleted, inserted or changed)`;
    case "order":
      return `${at} it is out of order (records were swapped or renumbered)`;
    case "head": {
      const last = result.seq - 1;
      if (expected?.seq === undefined) {
        return `${at} the expected head is none of its records (it ends at seq ${last}): either records after seq ${last} were deleted, or the value is not a head of this chain; give --expect-head SEQ:HASH to tell which`;
      }
      if (expected.seq > last) {
        return `${at} records were deleted: the chain ends at seq ${last}, the expected head is seq ${expected.seq}`;
      }
      return `the expected head is not a head of this chain: record ${expected.seq} has another hash (the value comes from another chain, or the chain was rewritten from there); the chain itself is intact up to seq ${last}`;
    }
  }
}

/**
 * `kms audit verify [--expect-head [SEQ:]HASH]`: walks the whole audit chain in the database and
 * exits 0 when it is intact, printing the head (seq and hash) so an operator can note it
 * somewhere else; exits 1 naming the first bad record otherwise.
 */
async function verify(args: string[], io: CommandIo): Promise<number> {
  const { own, config } = splitArgs(args, [], ["--expect-head"]);
  const parsed = own.join(" ").match(/^--expect-head(?:=| )(\S*)$/);
  if (own.length > 0 && !parsed) throw new UsageError(`unexpected argument ${own[0]}\n(kms audit --help for more)`);
  const expected = parsed ? parseHead(parsed[1]!) : undefined;
  return withAdminState(config, io, async ({ store }) => {
    const result = await verifyAuditChain(wholeChain(store), expected ? { expectHead: expected.hash } : {});
    if (result.ok) {
      const head = result.head ? `head seq ${result.head.seq} hash ${result.head.hash}` : "empty";
      io.stdout.write(`audit chain intact: ${result.count} records, ${head}\n`);
      return 0;
    }
    io.stdout.write(`${describe(result, expected)}\n`);
    return 1;
  });
}

function recordsTable(records: AuditRecord[]): Table {
  return {
    headers: ["SEQ", "TIME", "PRINCIPAL", "OPERATION", "KEY ID", "OUTCOME", "REQUEST ID"],
    rows: records.map((r) => [
      String(r.seq),
      when(r.time),
      r.principal,
      r.operation,
      r.keyId,
      r.outcome === AuditOutcome.ERROR ? `ERROR ${r.errorCode}` : enumName(AuditOutcome, r.outcome),
      r.requestId,
    ]),
  };
}

const TAIL: Subcommand = {
  flags: ["n", "follow", "principal", "key", "operation", "output"],
  short: { "-n": "n" },
  booleans: ["follow"],
  positionals: [],
  async run({ client, parsed, io }) {
    const n = Number(flag(parsed, "n") ?? "20");
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError("-n must be a whole number from 1 to 1000");
    const follow = flag(parsed, "follow");
    const format = listFormat(parsed, io.stdout);
    const filter = {
      principal: flag(parsed, "principal") ?? "",
      keyId: flag(parsed, "key") ?? "",
      operation: flag(parsed, "operation") ?? "",
    };
    const newest = async () => (await client.admin.listAuditRecords({ ...filter, pageSize: n })).records.reverse();
    // With --follow, later batches continue the table without repeating its header.
    const show = (records: AuditRecord[], header: boolean) =>
      printMessage(
        io.stdout,
        io.env,
        format,
        ListAuditRecordsResponseSchema,
        create(ListAuditRecordsResponseSchema, { records }),
        (r) => (header ? recordsTable(r.records) : { headers: [], rows: recordsTable(r.records).rows }),
      );
    let records = await newest();
    show(records, true);
    if (follow === undefined) return;
    let last = records.at(-1)?.seq ?? 0n;
    for (;;) {
      await sleep(2000);
      records = (await newest()).filter((r) => r.seq > last);
      if (records.length > 0) {
        show(records, false);
        last = records.at(-1)!.seq;
      }
    }
  },
};

const tail = clientCommand("audit", HELP, { tail: TAIL });

/** `kms audit verify` (the database, as an admin command) and `kms audit tail` (a running KMS). */
export const command: CommandSpec = {
  help: HELP,
  words: ["verify", "tail", "--expect-head", "-n", "--follow", "--principal", "--key", "--operation", "--output"],
  run: (args, io) => (args[0] === "verify" ? verify(args.slice(1), io) : tail.run(args, io)),
};
