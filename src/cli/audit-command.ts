import type { Logger } from "pino";
import type { Config } from "../config.js";
import { openState } from "../main.js";
import { verifyAuditChain } from "../security/audit-chain.js";
import { wholeChain } from "../core/admin/audit-trail.js";

/**
 * `kms audit verify [--expect-head HASH]`: walks the whole audit chain and exits 0 when it is
 * intact, printing the head (seq and hash) so an operator can note it somewhere else; exits 1
 * naming the first bad record otherwise. A chain alone cannot reveal that its newest records were
 * deleted: `--expect-head` with a previously noted head hash catches that too.
 */
export async function auditCommand(args: string[], config: Config, logger: Logger): Promise<number> {
  if (args[0] !== "verify") {
    process.stderr.write("usage: kms audit verify [--expect-head HASH]\n");
    return 2;
  }
  const at = args.indexOf("--expect-head");
  const expectHead = at >= 0 ? args[at + 1] : undefined;
  const { store } = await openState(config, logger, { create: false });
  try {
    const result = await verifyAuditChain(wholeChain(store), expectHead ? { expectHead } : {});
    if (result.ok) {
      const head = result.head ? `head seq ${result.head.seq} hash ${result.head.hash}` : "empty";
      process.stdout.write(`audit chain intact: ${result.count} records, ${head}\n`);
      return 0;
    }
    process.stdout.write(`audit chain broken at record ${result.seq}: ${describe(result.problem)}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

function describe(problem: string): string {
  switch (problem) {
    case "hash":
      return "its content does not match its hash (changed)";
    case "link":
      return "it does not follow the record before it (a record was deleted, inserted or changed)";
    case "order":
      return "it is out of order (records were swapped or renumbered)";
    default:
      return "the expected head was not found (records at the end were deleted)";
  }
}
