/**
 * A subset of Go's fmt.Sprintf, hand-written because no npm printf follows Go's verbs, its
 * `%!verb(type=value)` error notation or its `%v` rendering of maps and slices.
 */
import { allocateString } from './budget.js';
import { formatFloat, formatValue, goExponent, goTypeName, isGoMap, sortedKeys } from './values.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  precision: number | undefined;
  verb: string;
}

export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argIndex = 0;
  let i = 0;
  const n = format.length;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: undefined, precision: undefined, verb: '' };
    flags: for (; i < n; i++) {
      switch (format[i]) {
        case '-':
          spec.minus = true;
          break;
        case '+':
          spec.plus = true;
          break;
        case '#':
          spec.sharp = true;
          break;
        case ' ':
          spec.space = true;
          break;
        case '0':
          spec.zero = true;
          break;
        default:
          break flags;
      }
    }
    if (format[i] === '*') {
      const w = args[argIndex++];
      spec.width = typeof w === 'bigint' ? Number(w) : undefined;
      i++;
    } else {
      const start = i;
      while (i < n && format[i]! >= '0' && format[i]! <= '9') i++;
      if (i > start) spec.width = Number(format.slice(start, i));
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        const p = args[argIndex++];
        spec.precision = typeof p === 'bigint' ? Number(p) : undefined;
        i++;
      } else {
        const start = i;
        while (i < n && format[i]! >= '0' && format[i]! <= '9') i++;
        spec.precision = Number(format.slice(start, i) || '0');
      }
    }
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    spec.verb = format[i]!;
    i++;
    if (spec.verb === '%') {
      out += '%';
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${spec.verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argIndex++], spec);
  }
  if (argIndex < args.length) {
    out += '%!(EXTRA ' + args.slice(argIndex).map((a) => `${goTypeName(a)}=${formatValue(a)}`).join(', ') + ')';
  }
  return out;
}

function pad(text: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined || text.length >= spec.width) return text;
  const fill = spec.width - text.length;
  allocateString(spec.width);
  if (spec.minus) return text + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const signed = text[0] === '-' || text[0] === '+';
    return signed ? text[0] + '0'.repeat(fill) + text.slice(1) : '0'.repeat(fill) + text;
  }
  return ' '.repeat(fill) + text;
}

function badVerb(value: unknown, spec: Spec): string {
  if (value === null || value === undefined) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${goTypeName(value)}=${formatValue(value)})`;
}

function formatArg(value: unknown, spec: Spec): string {
  if (spec.verb === 'T') return pad(goTypeName(value), spec, false);
  if (spec.verb === 'v' && spec.precision === undefined && !spec.plus && !spec.sharp) {
    return pad(formatValue(value), spec, typeof value === 'number' || typeof value === 'bigint');
  }
  if (value === null || value === undefined) {
    return spec.verb === 'v' ? pad('<nil>', spec, false) : badVerb(value, spec);
  }
  if (Array.isArray(value)) {
    // fmt applies the verb to each element of a slice.
    return '[' + value.map((v) => formatArg(v, { ...spec, width: spec.width })).join(' ') + ']';
  }
  if (isGoMap(value)) {
    return 'map[' + sortedKeys(value).map((k) => `${formatArg(k, spec)}:${formatArg(value[k], spec)}`).join(' ') + ']';
  }
  switch (typeof value) {
    case 'string':
      return formatString(value, spec);
    case 'bigint':
      return formatInt(value, spec);
    case 'number':
      return formatFloatVerb(value, spec);
    case 'boolean':
      return spec.verb === 't' || spec.verb === 'v' ? pad(String(value), spec, false) : badVerb(value, spec);
    default:
      return badVerb(value, spec);
  }
}

function formatString(value: string, spec: Spec): string {
  switch (spec.verb) {
    case 'v':
    case 's': {
      const text = spec.precision !== undefined ? Array.from(value).slice(0, spec.precision).join('') : value;
      return pad(text, spec, false);
    }
    case 'q':
      return pad(spec.sharp && !value.includes('`') ? '`' + value + '`' : quoteGo(value), spec, false);
    case 'x':
    case 'X': {
      let hex = Array.from(Buffer.from(value, 'utf8'), (b) => b.toString(16).padStart(2, '0')).join(spec.space ? ' ' : '');
      if (spec.verb === 'X') hex = hex.toUpperCase();
      return pad(hex, spec, false);
    }
    default:
      return badVerb(value, spec);
  }
}

function withSign(text: string, negative: boolean, spec: Spec): string {
  if (negative) return '-' + text;
  if (spec.plus) return '+' + text;
  if (spec.space) return ' ' + text;
  return text;
}

function formatInt(value: bigint, spec: Spec): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  let digits: string;
  switch (spec.verb) {
    case 'd':
    case 'v':
      digits = abs.toString(10);
      break;
    case 'x':
      digits = (spec.sharp ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      digits = (spec.sharp ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    case 'o':
      digits = (spec.sharp ? '0' : '') + abs.toString(8);
      break;
    case 'O':
      digits = '0o' + abs.toString(8);
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    case 'c':
      return pad(String.fromCodePoint(Number(value)), spec, false);
    case 'q':
      return pad(quoteRune(Number(value)), spec, false);
    case 'U':
      return pad('U+' + abs.toString(16).toUpperCase().padStart(4, '0'), spec, false);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return badVerb(value, spec);
    default:
      return badVerb(value, spec);
  }
  if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
  return pad(withSign(digits, negative, spec), spec, spec.precision === undefined);
}

function trimFloatZeros(mantissa: string): string {
  if (!mantissa.includes('.')) return mantissa;
  return mantissa.replace(/0+$/, '').replace(/\.$/, '');
}

function formatFloatVerb(value: number, spec: Spec): string {
  if (!Number.isFinite(value)) {
    const text = Number.isNaN(value) ? 'NaN' : value > 0 ? (spec.plus ? '+Inf' : 'Inf') : '-Inf';
    return pad(spec.verb === 'v' && value > 0 && !spec.plus ? '+Inf' : text, spec, false);
  }
  const negative = value < 0 || Object.is(value, -0);
  const abs = Math.abs(value);
  let text: string;
  switch (spec.verb) {
    case 'v':
    case 'g':
    case 'G': {
      if (spec.precision === undefined) {
        text = formatFloat(abs);
      } else {
        const p = spec.precision === 0 ? 1 : spec.precision;
        const exp = abs === 0 ? 0 : Number(abs.toExponential(p - 1).split('e')[1]);
        if (exp < -4 || exp >= p) {
          const [m, e] = abs.toExponential(p - 1).split('e') as [string, string];
          text = goExponent(spec.sharp ? m : trimFloatZeros(m), Number(e));
        } else {
          const fixed = abs.toFixed(Math.max(0, p - 1 - exp));
          text = spec.sharp ? fixed : trimFloatZeros(fixed);
        }
      }
      if (spec.verb === 'G') text = text.toUpperCase();
      break;
    }
    case 'f':
    case 'F':
      text = abs.toFixed(spec.precision ?? 6);
      break;
    case 'e':
    case 'E': {
      const [m, e] = abs.toExponential(spec.precision ?? 6).split('e') as [string, string];
      text = goExponent(m, Number(e));
      if (spec.verb === 'E') text = text.toUpperCase();
      break;
    }
    default:
      return badVerb(value, spec);
  }
  return pad(withSign(text, negative, spec), spec, true);
}

const namedEscapes: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

/** strconv.Quote: a double-quoted Go string literal. */
export function quoteGo(value: string): string {
  let out = '"';
  for (const ch of value) {
    if (ch === '"') {
      out += '\\"';
      continue;
    }
    const named = namedEscapes[ch];
    if (named !== undefined) {
      out += named;
      continue;
    }
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code >= 0x80 && code < 0xa0) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function quoteRune(code: number): string {
  const ch = String.fromCodePoint(code);
  if (ch === "'") return "'\\''";
  const named = namedEscapes[ch];
  if (named !== undefined) return `'${named}'`;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${ch}'`;
}
