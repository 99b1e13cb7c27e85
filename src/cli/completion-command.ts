import { UsageError } from "./client-args.js";
import type { CommandIo, CommandSpec } from "./command.js";
import { COMMANDS } from "./commands.js";

const HELP = `usage: kms completion bash|zsh

Prints a completion script for kms's commands, subcommands and options. Load it with
  source <(kms completion bash)        # bash, e.g. from ~/.bashrc
  source <(kms completion zsh)         # zsh, e.g. from ~/.zshrc (after compinit)`;

/** Each command's words (subcommands and flags), read from the command table. */
async function wordsByCommand(): Promise<Map<string, readonly string[]>> {
  const entries = await Promise.all(
    COMMANDS.map(async (row) => [row.name, [...(await row.load()).command.words, "--help"]] as const),
  );
  return new Map(entries);
}

/** A shell word list, quoted for both shells (the words are fixed names, never user input). */
const list = (words: readonly string[]) => words.join(" ");

function bash(words: Map<string, readonly string[]>): string {
  const cases = [...words].map(([name, w]) => `    ${name}) opts="${list(w)}" ;;`).join("\n");
  return `# kms completion for bash: source <(kms completion bash)
_kms() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${list([...words.keys(), "--help"])}" -- "$cur"))
    return
  fi
  local opts=""
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  if [ \${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o default -F _kms kms
`;
}

function zsh(words: Map<string, readonly string[]>): string {
  const cases = [...words].map(([name, w]) => `    ${name}) opts=(${list(w)}) ;;`).join("\n");
  return `#compdef kms
# kms completion for zsh: source <(kms completion zsh)
_kms() {
  local -a opts
  if (( CURRENT == 2 )); then
    opts=(${list([...words.keys(), "--help"])})
    compadd -a opts
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
  compadd -a opts
  _files
}
compdef _kms kms
`;
}

const SHELLS: Record<string, (words: Map<string, readonly string[]>) => string> = { bash, zsh };

/** `kms completion bash|zsh`: a completion script derived from the command table. */
async function completion(args: string[], io: CommandIo): Promise<number> {
  const shell = args[0];
  if (args.length !== 1 || shell === undefined || !Object.hasOwn(SHELLS, shell)) {
    throw new UsageError(`kms completion takes bash or zsh\n${HELP}`);
  }
  io.stdout.write(SHELLS[shell]!(await wordsByCommand()));
  return 0;
}

export const command: CommandSpec = { help: HELP, words: Object.keys(SHELLS), run: completion };
