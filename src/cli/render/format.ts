/**
 * Choosing and producing command output: `-o table|json|yaml`, default table on a terminal and JSON when piped
 * (so scripts get exact data without asking). Tables come from src/cli/output.ts (cli-table3, no colour codes).
 */
import { UsageError } from '../errors.js';
import { yaml } from '../lazy.js';
import { formatOutput } from '../output.js';
import type { Column, OutputFormat } from '../output.js';

export type { Column, OutputFormat } from '../output.js';

export function chooseFormat(requested: string | undefined, isTty: boolean, allowed: readonly string[] = ['table', 'json', 'yaml']): string {
  if (requested === undefined) return isTty ? (allowed[0] ?? 'json') : 'json';
  if (!allowed.includes(requested)) throw new UsageError(`-o must be one of ${allowed.join(', ')} (got "${requested}")`);
  return requested;
}

/** Renders data for people (table through `columns`) or programs (json/yaml of the data, unchanged). */
export function render<T>(data: T | T[], format: string, columns?: readonly Column<T>[]): string {
  if (format === 'json') return JSON.stringify(data, null, 2);
  if (format === 'yaml') return yaml().stringify(data).trimEnd();
  if (columns) {
    if (Array.isArray(data) && data.length === 0) return 'No resources found.';
    return formatOutput(data, format as OutputFormat, columns);
  }
  return yaml().stringify(data).trimEnd();
}

/** Columns for an object kind with no dedicated layout: the first few scalar fields, id first. */
export function guessColumns(rows: readonly unknown[]): Column<unknown>[] {
  const keys: string[] = [];
  for (const row of rows.slice(0, 20)) {
    if (typeof row !== 'object' || row === null) continue;
    for (const [key, value] of Object.entries(row)) {
      if (keys.includes(key) || (typeof value === 'object' && value !== null)) continue;
      keys.push(key);
    }
  }
  keys.sort((a, b) => rank(a) - rank(b));
  return keys.slice(0, 6).map((key) => ({ header: key.toUpperCase(), value: (row: unknown) => (row as Record<string, unknown>)[key] }));
}

function rank(key: string): number {
  const order = ['id', 'key', 'name', 'type', 'status', 'value'];
  const index = order.indexOf(key);
  return index < 0 ? order.length : index;
}
