/**
 * Limits on the shape of input, checked before anything recursive walks it (issue #14): JSON request bodies and
 * YAML documents nested deeper than MAX_INPUT_DEPTH levels are refused with an InvalidInput (400), so no body can
 * overflow the stack of a validator, a merge, the secret box or a hash. Both checks are iterative.
 */
import { InvalidInput } from './errors.js';

/** Deepest nesting of maps and lists accepted in a request body, a Score file or a definition manifest. */
export const MAX_INPUT_DEPTH = 64;

function tooDeep(what: string, max: number): InvalidInput {
  return new InvalidInput(`${what} is nested more than ${max} levels deep`, { field: what, maxDepth: max });
}

/** Scans JSON text (without parsing it) and throws when objects/arrays nest deeper than `max`. Linear time. */
export function assertJsonTextDepth(text: string, what = 'body', max = MAX_INPUT_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) throw tooDeep(what, max);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Throws when a parsed value's maps/lists nest deeper than `max` (a cycle counts as too deep). */
export function assertValueDepth(value: unknown, what: string, max = MAX_INPUT_DEPTH): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  // shared sub-trees (YAML aliases) are walked again only when reached deeper than before: linear, not exponential
  const deepestSeen = new Map<object, number>();
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > max) throw tooDeep(what, max);
    if ((deepestSeen.get(node) ?? 0) >= depth) continue;
    deepestSeen.set(node, depth);
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
}
