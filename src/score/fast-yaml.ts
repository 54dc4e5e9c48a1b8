/**
 * A fast path for turning Score YAML text into plain values.
 *
 * Why: the `yaml` package (which we keep for positions and for its error messages) builds a full node tree
 * through generator-based lexing/parsing; on this project's typical Score files that costs ~10x more than
 * `js-yaml`, and made parsing >80% of validation time (issue 3 asks for >= 2,000 files/s). So documents are
 * first loaded with js-yaml, configured to resolve scalars exactly as `yaml`'s YAML 1.2 core schema does;
 * the `yaml` tree is only built later, lazily, when an error or warning needs a line and column.
 *
 * The two parsers must never disagree on what a file means. They agree on the plain YAML Score files are
 * written in, but differ in corners (anchors/aliases and alias limits, tags, directives, explicit and
 * non-scalar keys, null keys, tabs, multi-line flow collections, comments glued to tokens, `...`). Rather
 * than reason about each corner, any text that *might* use one of them returns `undefined`, and the caller
 * parses it with `yaml` exactly as before. The checks are deliberately coarse: a false alarm only costs
 * speed. js-yaml errors also return `undefined`, so every error message still comes from `yaml`.
 * `fast-yaml.test.ts` compares both parsers on generated texts.
 */
import { FAILSAFE_SCHEMA, Type, loadAll } from 'js-yaml';

/** The scalar types of `yaml`'s core schema (yaml/dist/schema/core), same tests, same conversions. */
const coreScalarTypes = [
  new Type('tag:yaml.org,2002:null', {
    kind: 'scalar',
    resolve: (text: string) => /^(?:~|[Nn]ull|NULL)?$/.test(text),
    construct: () => null,
  }),
  new Type('tag:yaml.org,2002:bool', {
    kind: 'scalar',
    resolve: (text: string) => /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(text),
    construct: (text: string) => text[0] === 't' || text[0] === 'T',
  }),
  new Type('tag:yaml.org,2002:int', {
    kind: 'scalar',
    resolve: (text: string) => /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/.test(text),
    construct: (text: string) =>
      text.startsWith('0o') ? parseInt(text.slice(2), 8) : text.startsWith('0x') ? parseInt(text.slice(2), 16) : parseInt(text, 10),
  }),
  new Type('tag:yaml.org,2002:float', {
    kind: 'scalar',
    resolve: (text: string) =>
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/.test(
        text,
      ),
    construct: (text: string) =>
      /nan$/i.test(text) ? NaN : /inf$/i.test(text) ? (text[0] === '-' ? -Infinity : Infinity) : parseFloat(text),
  }),
];

const coreSchema = FAILSAFE_SCHEMA.extend({ implicit: coreScalarTypes });

/**
 * Constructs js-yaml and `yaml` may read differently (see the module comment). Matched anywhere, including
 * inside strings and block scalars: a false alarm only sends the text to the slower parser.
 */
const RISKY_SYNTAX = new RegExp(
  [
    '\\t', // tabs (yaml is stricter about tab indentation)
    '^%', // directives
    '^\\.\\.\\.', // document end markers
    '^---[^\\S\\r\\n]*[^\\s]', // content on a document start line
    '(?:^|[\\s\\[{,])[&*!]', // anchors, aliases, tags
    '(?:^|[\\s\\[{,])\\?(?:\\s|$)', // explicit keys
    '(?:^|[\\s\\[{,])(?:~|null|Null|NULL)?:(?:\\s|$)', // empty or null keys
    '[\\]}]\\s*:(?:\\s|$)', // flow collection keys
    '["\'\\]}]#', // comments glued to the previous token
    '__proto__',
  ].join('|'),
  'm',
);

/** Flow collections spanning lines (yaml checks their indentation, js-yaml does not) and very long lines. */
function hasRiskyLines(text: string): boolean {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > 1000) return true;
    let depth = 0;
    for (let index = start; index < end; index++) {
      const code = text.charCodeAt(index);
      if (code === 0x5b || code === 0x7b) depth++;
      else if (code === 0x5d || code === 0x7d) depth--;
    }
    if (depth !== 0) return true;
    start = end + 1;
  }
  return false;
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The documents of `text` as plain values, or `undefined` when the text must go through the `yaml` parser
 * (possibly divergent syntax, any parse error, or a document that is not a map — empty, `null` and
 * scalar documents are handled by the caller's full path so that document indexes and messages match).
 */
export function fastLoadDocuments(text: string): Record<string, unknown>[] | undefined {
  if (RISKY_SYNTAX.test(text) || hasRiskyLines(text)) return undefined;
  let documents: unknown[];
  try {
    documents = loadAll(text, null, { schema: coreSchema });
  } catch {
    return undefined;
  }
  if (documents.length === 0 || !documents.every(isPlainMap)) return undefined;
  return documents;
}
