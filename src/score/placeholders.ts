/**
 * Score placeholders (`${metadata.name}`, `${resources.db.host}`), exactly as the Score specification
 * defines them:
 * - `${X}` is replaced by the lookup of X, where X is everything up to the first `}` (no nesting);
 * - `$$` is an escaped `$` (so `$${X}` is the literal text `${X}`);
 * - a `$` followed by anything else, and a `${` without a closing `}`, stay literal;
 * - X splits on `.`, and `\.` is a dot inside a key (`${metadata.annotations.example\.com/team}`);
 * - non-string values are JSON-encoded; unknown keys are errors, never left in place.
 * Hand-written (a few lines) because no library implements this particular grammar.
 */
import { InvalidInput } from '../shared/errors.js';

export type PlaceholderToken = { kind: 'text'; text: string } | { kind: 'ref'; ref: string };

/** Splits a string into literal text and placeholder references, applying the `$$` escape. */
export function tokenizePlaceholders(input: string): PlaceholderToken[] {
  const tokens: PlaceholderToken[] = [];
  let text = '';
  let index = 0;
  while (index < input.length) {
    const dollar = input.indexOf('$', index);
    if (dollar < 0) {
      text += input.slice(index);
      break;
    }
    text += input.slice(index, dollar);
    const next = input[dollar + 1];
    if (next === '$') {
      text += '$';
      index = dollar + 2;
    } else if (next === '{') {
      const close = input.indexOf('}', dollar + 2);
      if (close < 0) {
        text += input.slice(dollar);
        break;
      }
      if (text) tokens.push({ kind: 'text', text });
      text = '';
      tokens.push({ kind: 'ref', ref: input.slice(dollar + 2, close) });
      index = close + 1;
    } else {
      text += '$';
      index = dollar + 1;
    }
  }
  if (text) tokens.push({ kind: 'text', text });
  return tokens;
}

/** Every placeholder reference in a string (without the `${` `}`), escapes respected. */
export function findPlaceholders(input: string): string[] {
  return tokenizePlaceholders(input).flatMap((token) => (token.kind === 'ref' ? [token.ref] : []));
}

/** Splits a reference on unescaped dots; `\.` becomes a literal dot inside the segment. */
export function splitReference(ref: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let index = 0; index < ref.length; index++) {
    const char = ref[index];
    if (char === '\\' && ref[index + 1] === '.') {
      current += '.';
      index++;
    } else if (char === '.') {
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}

/** The textual form of a looked-up value: strings as they are, everything else JSON-encoded. */
export function placeholderValueToString(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Thrown by a resolver when a reference cannot be resolved; collected by `substitutePlaceholders`. */
export class PlaceholderError extends Error {}

export type PlaceholderResolver = (segments: string[], ref: string) => unknown;

/**
 * Replaces every placeholder of `input` with `resolve(segments)` (JSON-encoded when not a string).
 * Collects every failure and throws one `InvalidInput` listing them all (`details.errors`).
 */
export function substitutePlaceholders(input: string, resolve: PlaceholderResolver): string {
  const errors: string[] = [];
  let output = '';
  for (const token of tokenizePlaceholders(input)) {
    if (token.kind === 'text') {
      output += token.text;
      continue;
    }
    try {
      output += placeholderValueToString(resolve(splitReference(token.ref), token.ref));
    } catch (error) {
      if (!(error instanceof PlaceholderError)) throw error;
      errors.push(`invalid ref '${token.ref}': ${error.message}`);
    }
  }
  if (errors.length > 0) throw new InvalidInput(errors.join('; '), { errors });
  return output;
}

function lookupPath(context: unknown, keys: string[], what: string): unknown {
  let current = context;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) {
      throw new PlaceholderError(`cannot look up key '${key}' in ${what}: the value there is not a map`);
    }
    if (!Object.hasOwn(current, key)) throw new PlaceholderError(`key '${key}' not found in ${what}`);
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export interface ScoreLookupContext {
  metadata: Record<string, unknown>;
  /** Names of the workload's declared resources. */
  resourceNames: ReadonlySet<string>;
  /** Outputs of a resource, when known (a local runtime); omit to reject output lookups. */
  resourceOutputs?: (name: string) => Record<string, unknown> | undefined;
}

/** The standard Score resolver: `metadata.*` walks the workload metadata, `resources.NAME.*` the outputs. */
export function scoreResolver(context: ScoreLookupContext): PlaceholderResolver {
  return (segments) => {
    const [root, ...rest] = segments;
    if (root === 'metadata') {
      if (rest.length === 0) throw new PlaceholderError('a metadata key is required, e.g. ${metadata.name}');
      return lookupPath(context.metadata, rest, 'metadata');
    }
    if (root === 'resources') {
      const [name, ...keys] = rest;
      if (name === undefined || name === '') throw new PlaceholderError('a resource name is required');
      if (!context.resourceNames.has(name)) throw new PlaceholderError(`no resource named '${name}' is declared`);
      if (keys.length === 0) throw new PlaceholderError('an output key is required, e.g. ${resources.db.host}');
      const outputs = context.resourceOutputs?.(name);
      if (!outputs) throw new PlaceholderError(`the outputs of resource '${name}' are not known`);
      return lookupPath(outputs, keys, `the outputs of resource '${name}'`);
    }
    throw new PlaceholderError('unknown reference root, expected metadata or resources (use $$ to escape a $)');
  };
}
