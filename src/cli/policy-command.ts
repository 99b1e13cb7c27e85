import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { flag, UsageError } from "./client-args.js";
import { clientCommand, type Subcommand } from "./client-command.js";
import { CONNECTION_HELP } from "./help-text.js";

const HELP = `usage: kms policy SUBCOMMAND KEY [options]

A key's policy: an AWS-style JSON document (Statement[] with Effect, Principal, Action
kms:<Operation> or wildcards, Condition on kms:EncryptionContext:<key>); see docs/security.md.

  kms policy get KEY                     print the policy document (JSON) on stdout
  kms policy put KEY --file FILE         replace it with FILE's document (- for stdin)

A typical edit: kms policy get KEY > p.json; edit p.json; kms policy put KEY --file p.json

Options:
${CONNECTION_HELP}`;

const SUBCOMMANDS: Record<string, Subcommand> = {
  get: {
    flags: [],
    positionals: ["KEY"],
    async run({ client, parsed, io }) {
      const res = await client.keys.getKeyPolicy({ keyId: parsed.positionals[0]! });
      io.stdout.write(pretty(res.policy));
    },
  },
  put: {
    flags: ["file"],
    positionals: ["KEY"],
    async run({ client, parsed, io }) {
      const file = flag(parsed, "file");
      if (file === undefined) throw new UsageError("kms policy put needs --file FILE (or --file - for stdin)");
      const policy = file === "-" ? await text(io.stdin) : await readFile(file, "utf8");
      try {
        JSON.parse(policy);
      } catch {
        // Checked here so the mistake names the file; the service checks the document's shape.
        throw new UsageError(`${file === "-" ? "stdin" : file} is not JSON`);
      }
      const res = await client.keys.putKeyPolicy({ keyId: parsed.positionals[0]!, policy });
      io.stdout.write(`replaced the policy of key ${res.keyId}\n`);
    },
  },
};

/** The stored document, indented for reading and editing (the service keeps the text it was given). */
function pretty(policy: string): string {
  try {
    return `${JSON.stringify(JSON.parse(policy), null, 2)}\n`;
  } catch {
    return policy.endsWith("\n") ? policy : `${policy}\n`;
  }
}

/** `kms policy get|put`: a key's policy document to and from a file. */
export const command = clientCommand("policy", HELP, SUBCOMMANDS);
