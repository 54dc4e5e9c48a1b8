/**
 * Regular expressions from users (JSON Schema `pattern`s of workload profiles and resource types, template regex
 * functions) run on JavaScript's backtracking engine, where a pattern such as `^(a+)+$` takes exponential time.
 * No linear-time engine is among Baton's dependencies, so patterns that are not safe by construction are refused
 * (issue #14), before they ever run:
 *
 * - an unbounded quantifier (`*`, `+`, `{n,}`, or `{n}`/`{n,m}` above 10) on a group that contains an alternation,
 *   a repeated group, or a quantified atom, unless the group starts with a literal delimiter that none of its
 *   quantified atoms can match: `(a+)+`, `(a|aa)*`, `(?:x*y)+` are refused; `^/[^/]+(/[^/]+)*$` and
 *   `^[a-z]+(-[a-z]+)*$` are allowed;
 * - backreferences (`\1`, `\k<name>`) and lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`).
 *
 * Everything else (classes, anchors, alternation outside repeated groups, quantified single atoms) is allowed.
 */
import { InvalidInput } from './errors.js';

const MAX_BOUNDED_REPEAT = 10;

interface Frame {
  /** an alternation, or a repeated group, somewhere inside */
  ambiguous: boolean;
  /** source of each quantified atom directly inside (`[^/]+` → `[^/]`) */
  quantifiedAtoms: string[];
  /** the group's first atom when it is one literal character (a delimiter), else null */
  firstLiteral: string | null;
  atoms: number;
}

const newFrame = (): Frame => ({ ambiguous: false, quantifiedAtoms: [], firstLiteral: null, atoms: 0 });

/**
 * A repeated group is safe when nothing inside can be split two ways: no alternation, no repeated group, and
 * either no quantified atom at all or a leading literal delimiter none of its quantified atoms can match
 * (`(/[^/]+)*`, `(\.\d+)*`).
 */
function repeatedGroupIsSafe(group: Frame): boolean {
  if (group.ambiguous) return false;
  if (group.quantifiedAtoms.length === 0) return true;
  const delimiter = group.firstLiteral;
  if (delimiter === null) return false;
  return group.quantifiedAtoms.every((atom) => {
    try {
      return !new RegExp(`^(?:${atom})$`, 'u').test(delimiter);
    } catch {
      return false;
    }
  });
}

/** Why `pattern` is refused, or undefined when it is allowed. */
export function unsafePatternReason(pattern: string): string | undefined {
  const stack: Frame[] = [newFrame()];
  let lastAtom: { text: string; group?: Frame } | undefined;
  const atom = (frame: Frame, text: string, literal: string | null, group?: Frame): void => {
    if (frame.atoms === 0) frame.firstLiteral = literal;
    frame.atoms++;
    lastAtom = group === undefined ? { text } : { text, group };
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const top = stack[stack.length - 1]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'backreferences are not allowed';
      const text = pattern.slice(i, i + 2);
      // an escaped punctuation character is a literal; \d, \w, \s… are classes
      atom(top, text, /[^A-Za-z0-9]/.test(next) ? next : null);
      i++;
      continue;
    }
    if (c === '[') {
      // the class runs to the first unescaped `]` (a leading `]` or `^]` is literal)
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      atom(top, pattern.slice(i, j + 1), null);
      i = j;
      continue;
    }
    if (c === '(') {
      if (pattern.startsWith('(?=', i) || pattern.startsWith('(?!', i) || pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i)) {
        return 'lookahead and lookbehind are not allowed';
      }
      if (pattern.startsWith('(?:', i)) i += 2;
      else if (pattern.startsWith('(?<', i)) i = pattern.indexOf('>', i);
      if (i < 0) return undefined; // unterminated: the RegExp constructor reports it
      stack.push(newFrame());
      lastAtom = undefined;
      continue;
    }
    if (c === ')') {
      const closed = stack.length > 1 ? stack.pop()! : newFrame();
      const parent = stack[stack.length - 1]!;
      parent.ambiguous ||= closed.ambiguous;
      // a group's quantified atoms count as the parent's too (they can still be split differently)
      parent.quantifiedAtoms.push(...closed.quantifiedAtoms);
      atom(parent, '', closed.atoms > 0 ? closed.firstLiteral : null, closed);
      continue;
    }
    if (c === '|') {
      top.ambiguous = true;
      top.firstLiteral = null;
      lastAtom = undefined;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      let repeats = c !== '?';
      if (c === '{') {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(pattern.slice(i));
        if (m === null) {
          atom(top, '\\{', '{');
          continue; // a literal `{`
        }
        // a small finite bound multiplies the work by a constant at most
        repeats = m[2] === ',' ? m[3] === '' || Number(m[3]) > MAX_BOUNDED_REPEAT : Number(m[1]) > MAX_BOUNDED_REPEAT;
        i += m[0].length - 1;
      }
      if (pattern[i + 1] === '?' || pattern[i + 1] === '+') i++; // lazy / possessive suffix
      if (lastAtom !== undefined && repeats) {
        if (lastAtom.group !== undefined) {
          if (!repeatedGroupIsSafe(lastAtom.group)) {
            return 'a repeated group must not be ambiguous: no quantifier inside unless the group starts with a literal delimiter none of them matches, no alternation (nested quantifiers take exponential time)';
          }
          if (lastAtom.group.quantifiedAtoms.length > 0) top.ambiguous = true;
        } else {
          top.quantifiedAtoms.push(lastAtom.text);
        }
      }
      lastAtom = undefined;
      continue;
    }
    atom(top, c === '.' ? '.' : c.replace(/[$^]/, '\\$&'), c === '.' || c === '^' || c === '$' ? null : c);
  }
  return undefined;
}

/** Throws an InvalidInput naming `pattern` (and `where`) when it is refused. */
export function assertSafePattern(pattern: string, where = 'pattern'): void {
  const reason = unsafePatternReason(pattern);
  if (reason !== undefined) {
    throw new InvalidInput(`${where}: the regular expression ${JSON.stringify(pattern)} is refused: ${reason}`, { field: where, pattern });
  }
}

/** Ajv's `code.regExp` engine: user patterns checked by `assertSafePattern`, then run as JavaScript RegExps. */
export const safeRegExpEngine = Object.assign((pattern: string, flags: string): RegExp => {
  assertSafePattern(pattern);
  return new RegExp(pattern, flags);
}, { code: 'new RegExp' });
