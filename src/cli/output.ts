import { type DescMessage, type MessageShape, toJson } from "@bufbuild/protobuf";
import { type Timestamp, timestampDate } from "@bufbuild/protobuf/wkt";
import { flag, type ParsedArgs, UsageError } from "./client-args.js";
import { colourOn, paint, type Printable } from "./terminal.js";

/** How a command prints what it got: proto3 JSON for scripts, or aligned columns for people. */
export type OutputFormat = "json" | "table";

/** `--output json|table`, or `fallback` when absent. */
export function outputFormat(parsed: ParsedArgs, fallback: OutputFormat): OutputFormat {
  const value = flag(parsed, "output") ?? fallback;
  if (value !== "json" && value !== "table") throw new UsageError(`--output must be json or table, got "${value}"`);
  return value;
}

/**
 * The format of a list: `--output`, else a table on a terminal and JSON otherwise — a person
 * reads columns, a script that pipes the output gets the same JSON it always got (as `gh` does).
 */
export function listFormat(parsed: ParsedArgs, stdout: Printable): OutputFormat {
  return outputFormat(parsed, stdout.isTTY === true ? "table" : "json");
}

/** A table: a header row and the rows under it, every cell already text. */
export interface Table {
  headers: readonly string[];
  rows: readonly (readonly string[])[];
}

/**
 * Columns padded to their widest cell, two spaces apart, trailing spaces trimmed; the header in
 * bold on a terminal only. An empty table prints its header alone, so "nothing" is visible; a
 * table without headers (a continuation, as `kms audit tail --follow` prints) prints rows only.
 */
export function renderTable(table: Table, colour: boolean): string {
  const all = [table.headers, ...table.rows];
  const columns = Math.max(...all.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...all.map((row) => (row[i] ?? "").length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const body = table.rows.map(line);
  return (table.headers.length > 0 ? [paint(colour, "bold", line(table.headers)), ...body] : body).join("\n");
}

/**
 * Prints `message` as pretty proto3 JSON — the field names and enum spellings of Connect JSON and
 * `buf curl`, default values included so scripts can rely on every field — or as the table
 * `toTable` makes of it.
 */
export function printMessage<D extends DescMessage>(
  out: Printable,
  env: NodeJS.ProcessEnv,
  format: OutputFormat,
  schema: D,
  message: MessageShape<D>,
  toTable: (message: MessageShape<D>) => Table,
): void {
  const text =
    format === "json"
      ? JSON.stringify(toJson(schema, message, { alwaysEmitImplicit: true }), null, 2)
      : renderTable(toTable(message), colourOn(out, env));
  out.write(`${text}\n`);
}

/** A table of one resource: FIELD / VALUE rows. */
export function fieldTable(fields: Record<string, string>): Table {
  return { headers: ["FIELD", "VALUE"], rows: Object.entries(fields) };
}

/** `2026-01-31T12:00:00Z` (seconds), or empty when unset. */
export function when(ts: Timestamp | undefined): string {
  return ts ? `${timestampDate(ts).toISOString().slice(0, 19)}Z` : "";
}

/** `KeyState[1]` → `ENABLED`: the enum's short name as a column shows it. */
export function enumName(names: Record<number, string>, value: number): string {
  return names[value] ?? String(value);
}
