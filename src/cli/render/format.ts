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
export function guessColumns(rows: readonly unknown[], limit = 6): Column<unknown>[] {
  const keys: string[] = [];
  for (const row of rows.slice(0, 20)) {
    if (typeof row !== 'object' || row === null) continue;
    for (const [key, value] of Object.entries(row)) {
      if (keys.includes(key) || (typeof value === 'object' && value !== null)) continue;
      keys.push(key);
    }
  }
  keys.sort((a, b) => rank(a) - rank(b));
  return keys.slice(0, limit).map((key) => ({ header: key.toUpperCase(), value: (row: unknown) => (row as Record<string, unknown>)[key] }));
}

function rank(key: string): number {
  const order = ['id', 'key', 'name', 'type', 'status', 'value'];
  const index = order.indexOf(key);
  return index < 0 ? order.length : index;
}

/** `baton get -o`: the formats above plus kubectl's `wide` (every scalar field), `name` (KIND/ID lines), `jsonpath=`. */
export type GetOutput = { format: 'table' | 'wide' | 'json' | 'yaml' | 'name' } | { format: 'jsonpath'; expression: string };

export function parseGetOutput(requested: string | undefined, isTty: boolean): GetOutput {
  if (requested === undefined) return { format: isTty ? 'table' : 'json' };
  const jsonpath = /^jsonpath=(.*)$/s.exec(requested);
  if (jsonpath) {
    if (jsonpath[1] === '') throw new UsageError('-o jsonpath= needs an expression, e.g. -o jsonpath={.items[*].id}');
    return { format: 'jsonpath', expression: jsonpath[1]! };
  }
  const formats = ['table', 'wide', 'json', 'yaml', 'name'] as const;
  const found = formats.find((f) => f === requested);
  if (!found) throw new UsageError(`-o must be one of ${formats.join(', ')}, jsonpath=EXPR (got "${requested}")`);
  return { format: found };
}

type Row = Record<string, unknown>;

function idOf(row: unknown): string {
  if (typeof row !== 'object' || row === null) return String(row);
  const r = row as Row;
  for (const key of ['id', 'key', 'type', 'name']) if (typeof r[key] === 'string') return r[key];
  return '';
}

/** What `baton get` prints for `output`; `kind` names objects for `-o name`. */
export function renderGet(data: unknown, output: GetOutput, columns: readonly Column<Row>[], noHeaders: boolean, kind = ''): string {
  const rows = Array.isArray(data) ? (data as unknown[]) : [data];
  switch (output.format) {
    case 'json':
    case 'yaml':
      return render(data, output.format);
    case 'name':
      return rows.map((r) => (kind ? `${kind}/${idOf(r)}` : idOf(r))).join('\n');
    case 'jsonpath':
      return evaluateJsonPath(output.expression, Array.isArray(data) ? { items: data } : data);
    default: {
      let shown = [...columns];
      if (output.format === 'wide') {
        const headers = new Set(shown.map((c) => c.header));
        for (const extra of guessColumns(rows, Infinity)) if (!headers.has(extra.header)) shown.push(extra);
        shown = shown.filter((c, i) => shown.findIndex((d) => d.header === c.header) === i);
      }
      if (Array.isArray(data) && data.length === 0) return noHeaders ? '' : 'No resources found.';
      const table = formatOutput(rows as Row[], 'table', shown);
      if (!noHeaders) return table;
      // Drop the header row and the rule under it (the first three lines of a cli-table3 table, top border kept).
      const lines = table.split('\n');
      return [lines[0], ...lines.slice(3)].join('\n');
    }
  }
}

/**
 * kubectl's JSONPath, the part people use: text with `{...}` expressions of `.field`, `['field']`, `[N]`, `[*]`
 * and `..`-free paths; several results are joined by spaces. Only own properties are read (no prototype keys).
 */
export function evaluateJsonPath(template: string, data: unknown): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, open);
    const close = template.indexOf('}', open);
    if (close < 0) throw new UsageError(`jsonpath: unclosed "{" in ${template}`);
    const values = selectPath(template.slice(open + 1, close).trim(), data);
    out += values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ');
    i = close + 1;
  }
  return out.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
}

function selectPath(path: string, data: unknown): unknown[] {
  let rest = path.startsWith('$') ? path.slice(1) : path;
  let current: unknown[] = [data];
  while (rest !== '') {
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z0-9_-]+)/.exec(rest)) || (m = /^\[['"]([^'"]+)['"]\]/.exec(rest))) {
      const key = m[1]!;
      current = current.flatMap((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, key) ? [(v as Row)[key]] : []));
    } else if ((m = /^\[\*\]/.exec(rest))) {
      current = current.flatMap((v): unknown[] => (Array.isArray(v) ? (v as unknown[]) : typeof v === 'object' && v !== null ? Object.values(v) : []));
    } else if ((m = /^\[(-?\d+)\]/.exec(rest))) {
      const n = Number(m[1]);
      current = current.flatMap((v): unknown[] => (Array.isArray(v) && (v as unknown[]).at(n) !== undefined ? [(v as unknown[]).at(n)] : []));
    } else if (rest === '.') {
      break;
    } else {
      throw new UsageError(`jsonpath: cannot read "${rest}" (supported: .field, ['field'], [N], [*])`);
    }
    rest = rest.slice(m[0].length);
  }
  return current;
}
