import type { CommandSpec } from "./command.js";

/** One row of the command table: a name, the line `kms --help` shows, and the module to load. */
export interface CommandRow {
  name: string;
  summary: string;
  /** Loaded only when the command runs, so `kms encrypt` never loads the store or the servers. */
  load: () => Promise<{ command: CommandSpec }>;
}

/**
 * Every `kms` command, in the order `kms --help` lists them. Adding a command is one row here and
 * a module exporting `command` (a {@link CommandSpec}); help, dispatch, "unknown command" and
 * shell completion all derive from this table.
 */
export const COMMANDS: readonly CommandRow[] = [
  { name: "serve", summary: "run the service until SIGTERM/SIGINT", load: () => import("./serve-command.js") },
  { name: "encrypt", summary: "envelope-encrypt a file or stdin", load: () => import("./encrypt-command.js") },
  { name: "decrypt", summary: "decrypt an envelope from kms encrypt", load: () => import("./decrypt-command.js") },
  {
    name: "keys",
    summary: "list, create, describe, rotate, enable/disable, schedule/cancel deletion",
    load: () => import("./keys-command.js"),
  },
  { name: "aliases", summary: "list, create, update, delete aliases", load: () => import("./aliases-command.js") },
  { name: "policy", summary: "get a key's policy, or put one from a file", load: () => import("./policy-command.js") },
  { name: "grants", summary: "create, list, revoke, retire grants", load: () => import("./grants-command.js") },
  { name: "import", summary: "wrap and import key material (BYOK)", load: () => import("./import-command.js") },
  { name: "status", summary: "the key-pair pool's figures (from /metrics)", load: () => import("./status-command.js") },
  {
    name: "principal",
    summary: "create, list, delete principals (admin: opens the database)",
    load: () => import("./principal-command.js"),
  },
  {
    name: "client-key",
    summary: "issue, list, revoke Alibaba-protocol ClientKeys (admin)",
    load: () => import("./client-key-command.js"),
  },
  {
    name: "audit",
    summary: "verify the audit hash chain (admin), or tail the trail",
    load: () => import("./audit-command.js"),
  },
  {
    name: "root-key",
    summary: "root keys in use; rotate the root key online (admin)",
    load: () => import("./root-key-command.js"),
  },
  { name: "tls", summary: "write a development CA and localhost certificate", load: () => import("./tls-command.js") },
  {
    name: "completion",
    summary: "print a bash or zsh completion script",
    load: () => import("./completion-command.js"),
  },
];

/** The row named `name`, if any. */
export function findCommand(name: string): CommandRow | undefined {
  return COMMANDS.find((row) => row.name === name);
}
