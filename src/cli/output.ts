/**
 * Output formatting shared by commands: `-o table` (default for lists), `-o json`, `-o yaml`.
 * Tables are plain (no colour codes in borders) so they read the same in CI logs.
 */
import { cliTable, yaml } from './lazy.js';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

export function parseOutputFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new Error(`output format must be one of ${OUTPUT_FORMATS.join(', ')} (got "${value}")`);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '';
}

/** Renders data: rows through `columns` for tables, the data itself for json/yaml. */
export function formatOutput<T>(data: T | T[], format: OutputFormat, columns?: readonly Column<T>[]): string {
  if (format === 'json') return JSON.stringify(data, null, 2);
  if (format === 'yaml') return yaml().stringify(data).trimEnd();
  const rows = Array.isArray(data) ? data : [data];
  if (!columns) return yaml().stringify(data).trimEnd();
  const Table = cliTable();
  const table = new Table({ head: columns.map((c) => c.header), style: { head: [], border: [] } });
  for (const row of rows) table.push(columns.map((c) => cell(c.value(row))));
  return table.toString();
}
