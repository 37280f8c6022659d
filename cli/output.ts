/** Prints results as a table (default), wide table, JSON or YAML. */
import { CliError, EXIT } from "./errors.ts";

export type OutputFormat = "table" | "json" | "yaml" | "wide";
export const OUTPUT_FORMATS: OutputFormat[] = ["table", "json", "yaml", "wide"];

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Shown only with -o wide. */
  wide?: boolean;
}

export function parseFormat(value: string | undefined): OutputFormat {
  const format = (value ?? "table") as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new CliError(`--output must be one of ${OUTPUT_FORMATS.join(", ")} (got '${value}')`, EXIT.usage);
  }
  return format;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function renderTable<T>(rows: T[], columns: Column<T>[], wide = false): string {
  const cols = columns.filter((c) => wide || !c.wide);
  const matrix = rows.map((r) => cols.map((c) => cell(c.value(r)).replaceAll("\n", " ")));
  const widths = cols.map((c, i) => Math.max(c.header.length, ...matrix.map((m) => m[i].length)));
  const line = (cells: string[]) => cells.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  return [line(cols.map((c) => c.header.toUpperCase())), ...matrix.map(line)].join("\n");
}

async function toYaml(data: unknown): Promise<string> {
  const { stringify } = await import("yaml");
  return stringify(data).trimEnd();
}

/** Prints `data`; tables use `columns` over `rows` (defaults to data itself when it is an array). */
export async function print<T>(
  format: OutputFormat,
  data: unknown,
  table?: { rows?: T[]; columns: Column<T>[] },
): Promise<void> {
  if (format === "json") return console.log(JSON.stringify(data, null, 2));
  if (format === "yaml") return console.log(await toYaml(data));
  if (table) {
    const rows = table.rows ?? (data as T[]);
    console.log(rows.length ? renderTable(rows, table.columns, format === "wide") : "(none)");
    return;
  }
  if (data !== null && typeof data === "object" && !Array.isArray(data)) {
    const entries = Object.entries(data as Record<string, unknown>);
    const w = Math.max(...entries.map(([k]) => k.length));
    console.log(entries.map(([k, v]) => `${k.padEnd(w)}  ${cell(v)}`).join("\n"));
    return;
  }
  console.log(typeof data === "string" ? data : JSON.stringify(data, null, 2));
}
