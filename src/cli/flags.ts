/** The value after `--name` in `args` (`--name value`), or undefined when the flag is absent. */
export function flagValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}
