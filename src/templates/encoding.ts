/** JSON and YAML encoders producing Go's output (encoding/json, sigs.k8s.io/yaml as used by Helm/sprig). */
import { Document, parse as parseYamlText, visit, type ToStringOptions } from 'yaml';
import { formatFloat, isGoMap, putKey, sortedKeys } from './values.js';

/** encoding/json Marshal: sorted map keys, HTML-escaping unless `escapeHtml` is false. */
export function encodeJson(value: unknown, escapeHtml: boolean, indent = '', prefix = ''): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return jsonString(value, escapeHtml);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      return jsonNumber(value);
    case 'function':
      throw new Error('json: unsupported type: func()');
    default:
      break;
  }
  if (value instanceof Uint8Array) return `"${Buffer.from(value).toString('base64')}"`;
  const inner = prefix + indent;
  const sep = indent === '' ? ',' : ',\n' + inner;
  const open = indent === '' ? '' : '\n' + inner;
  const close = indent === '' ? '' : '\n' + prefix;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[' + open + value.map((v) => encodeJson(v, escapeHtml, indent, inner)).join(sep) + close + ']';
  }
  const map = value as Record<string, unknown>;
  const keys = sortedKeys(map);
  if (keys.length === 0) return '{}';
  const colon = indent === '' ? ':' : ': ';
  return '{' + open + keys.map((k) => jsonString(k, escapeHtml) + colon + encodeJson(map[k], escapeHtml, indent, inner)).join(sep) + close + '}';
}

function jsonNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${formatFloat(value)}`);
  // JavaScript and Go agree: plain digits below 1e21 and from 1e-6, exponent otherwise (Go writes e-7, e+21).
  return JSON.stringify(value);
}

function jsonString(value: string, escapeHtml: boolean): string {
  let out = JSON.stringify(value);
  if (escapeHtml) out = out.replace(/[<>&]/g, (c) => '\\u00' + c.charCodeAt(0).toString(16));
  return out.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Converts template values to plain JSON-compatible data (Go's json round-trip that sigs.k8s.io/yaml performs). */
function toPlain(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (isGoMap(value)) {
    const out: Record<string, unknown> = {};
    for (const key of sortedKeys(value)) putKey(out, key, toPlain(value[key]));
    return out;
  }
  return value;
}

const yamlOptions: ToStringOptions = {
  indent: 2,
  indentSeq: false,
  lineWidth: 0,
  minContentWidth: 0,
  blockQuote: 'literal',
  defaultStringType: 'PLAIN',
  defaultKeyType: 'PLAIN',
  nullStr: 'null',
  trueStr: 'true',
  falseStr: 'false',
};

/** sigs.k8s.io/yaml Marshal as Helm's `toYaml` uses it (the trailing newline is the caller's business). */
export function encodeYaml(value: unknown): string {
  const doc = new Document(toPlain(value), { version: '1.1', sortMapEntries: true });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number') {
        // go-yaml prints floats with strconv 'g' shortest, integers as integers
        node.format = undefined;
      }
      if (typeof node.value === 'string' && node.value.includes('\n')) node.type = 'BLOCK_LITERAL';
    },
  });
  return doc.toString(yamlOptions);
}

export function decodeYaml(text: string): unknown {
  return normalizeDecoded(parseYamlText(text, { version: '1.2' }) as unknown);
}

/** Decoded JSON/YAML numbers become float64 in Go (sigs.k8s.io/yaml goes through encoding/json). */
function normalizeDecoded(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeDecoded);
  if (isGoMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) putKey(out, k, normalizeDecoded(v));
    return out;
  }
  if (typeof value === 'bigint') return Number(value);
  return value;
}

