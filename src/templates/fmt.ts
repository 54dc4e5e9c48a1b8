/**
 * A subset of Go's fmt.Sprintf, hand-written because no npm printf follows Go's verbs, its
 * `%!verb(type=value)` error notation or its `%v` rendering of maps and slices.
 */
import { allocateString } from './budget.js';
import { formatFloat, formatValue, goExponent, goTypeName, GoTime, isGoMap, sortedKeys } from './values.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** `%#v`: Go-syntax representation */
  sharpV: boolean;
  width: number | undefined;
  precision: number | undefined;
  verb: string;
}

/** fmt's tooLarge: widths and precisions beyond ±1e6 are refused. */
const tooLarge = (n: number): boolean => n > 1e6 || n < -1e6;

/** fmt's parsenum: digits at `start`; `undefined` when there are none or the number is too large. */
function parseNum(format: string, start: number): { num: number | undefined; next: number } {
  let i = start;
  let num = 0;
  let isNum = false;
  while (i < format.length && format[i]! >= '0' && format[i]! <= '9') {
    if (tooLarge(num)) return { num: undefined, next: format.length };
    num = num * 10 + (format.charCodeAt(i) - 48);
    isNum = true;
    i++;
  }
  return { num: isNum ? num : undefined, next: i };
}

/** fmt's intFromArg: `*` takes an int argument (a Go int, never a float64). */
function intFromArg(args: readonly unknown[], argNum: number): { num: number; ok: boolean; next: number } {
  if (argNum >= args.length) return { num: 0, ok: false, next: argNum };
  const arg = args[argNum];
  if (typeof arg === 'bigint') {
    const num = Number(arg);
    return tooLarge(num) ? { num: 0, ok: false, next: argNum + 1 } : { num, ok: true, next: argNum + 1 };
  }
  return { num: 0, ok: false, next: argNum + 1 };
}

/**
 * Go's fmt.Sprintf (fmt/print.go doPrintf): flags, width and precision (`*` from arguments), explicit argument
 * indexes (`%[2]s`, `%[1]*d`), the `%!verb(BADINDEX)`, `%!verb(MISSING)`, `%!(BADWIDTH)`, `%!(NOVERB)` and
 * `%!(EXTRA ...)` notations. Widths and precisions count runes, as Go's do.
 */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let goodArgNum: boolean;
  const end = format.length;

  // fmt's argNumber: an optional `[n]` at i
  const argNumber = (current: number, i: number): { argNum: number; i: number; found: boolean } => {
    if (i >= end || format[i] !== '[') return { argNum: current, i, found: false };
    reordered = true;
    let close = -1;
    if (end - i >= 3) {
      for (let j = i + 1; j < end; j++) {
        if (format[j] === ']') {
          close = j;
          break;
        }
      }
    }
    if (close < 0) {
      goodArgNum = false;
      return { argNum: current, i: i + 1, found: false };
    }
    const { num, next } = parseNum(format, i + 1);
    if (num === undefined || next !== close) {
      goodArgNum = false;
      return { argNum: current, i: close + 1, found: false };
    }
    const index = num - 1;
    if (index >= 0 && index < args.length) return { argNum: index, i: close + 1, found: true };
    goodArgNum = false;
    return { argNum: current, i: close + 1, found: true };
  };

  let i = 0;
  while (i < end) {
    goodArgNum = true;
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, sharpV: false, width: undefined, precision: undefined, verb: '' };
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '-':
          spec.minus = true;
          spec.zero = false; // no zero padding on the right
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
          spec.zero = !spec.minus;
          break;
        default:
          break flags;
      }
    }
    let afterIndex: boolean;
    ({ argNum, i, found: afterIndex } = argNumber(argNum, i));
    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg(args, argNum);
      argNum = w.next;
      if (!w.ok) out += '%!(BADWIDTH)';
      else {
        spec.width = w.num;
        if (w.num < 0) {
          spec.width = -w.num;
          spec.minus = true;
          spec.zero = false;
        }
      }
      afterIndex = false;
    } else {
      const w = parseNum(format, i);
      spec.width = w.num;
      i = w.next;
      if (afterIndex && spec.width !== undefined) goodArgNum = false; // "%[3]2d"
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false; // "%[3].2d"
      ({ argNum, i, found: afterIndex } = argNumber(argNum, i));
      if (i < end && format[i] === '*') {
        i++;
        const p = intFromArg(args, argNum);
        argNum = p.next;
        spec.precision = p.ok && p.num >= 0 ? p.num : undefined;
        if (!p.ok) out += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const p = parseNum(format, i);
        spec.precision = p.num ?? 0;
        i = p.next;
      }
    }
    if (!afterIndex) ({ argNum, i } = argNumber(argNum, i));
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    spec.verb = verb;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    if (verb === 'v') {
      // %#v is Go syntax; %+v only differs from %v for structs, which template data has none of
      spec.sharpV = spec.sharp;
      spec.sharp = false;
      spec.plus = false;
    }
    out += formatArg(args[argNum], spec, true);
    argNum++;
  }
  if (!reordered && argNum < args.length) {
    out +=
      '%!(EXTRA ' +
      args
        .slice(argNum)
        .map((a) => (a === null || a === undefined ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`))
        .join(', ') +
      ')';
  }
  return out;
}

function runeCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function pad(text: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined) return text;
  const length = runeCount(text);
  if (length >= spec.width) return text;
  const fill = spec.width - length;
  allocateString(spec.width);
  if (spec.minus) return text + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const signed = text[0] === '-' || text[0] === '+' || text[0] === ' ';
    return signed ? text[0] + '0'.repeat(fill) + text.slice(1) : '0'.repeat(fill) + text;
  }
  // Go pads everything else with zeros too when asked (`%05s` is "000ab")
  if (spec.zero) return '0'.repeat(fill) + text;
  return ' '.repeat(fill) + text;
}

function badVerb(value: unknown, spec: Spec): string {
  if (value === null || value === undefined) return `%!${spec.verb}(<nil>)`;
  return `%!${spec.verb}(${goTypeName(value)}=${formatValue(value)})`;
}

/** `%#v`: Go-syntax representation of a value (as fmt prints interface{} data decoded from JSON/YAML). */
export function goSyntax(value: unknown, top: boolean): string {
  if (value === null || value === undefined) return top ? '<nil>' : 'interface {}(nil)';
  switch (typeof value) {
    case 'string':
      return quoteGo(value);
    case 'bigint':
      return value.toString();
    case 'number':
      return formatFloat(value);
    case 'boolean':
      return String(value);
    default:
      break;
  }
  if (Array.isArray(value)) return '[]interface {}{' + value.map((v) => goSyntax(v, false)).join(', ') + '}';
  if (value instanceof GoTime) return value.goString();
  if (isGoMap(value)) return 'map[string]interface {}{' + sortedKeys(value).map((k) => `${quoteGo(k)}:${goSyntax(value[k], false)}`).join(', ') + '}';
  return formatValue(value);
}

function formatArg(value: unknown, spec: Spec, top: boolean): string {
  if (spec.verb === 'T') return pad(value === null || value === undefined ? '<nil>' : goTypeName(value), spec, false);
  if (spec.sharpV) return pad(goSyntax(value, top), spec, false);
  if (value === null || value === undefined) {
    // a nil argument: only %v prints it; a nil element of a slice or map prints <nil> whatever the verb
    return spec.verb === 'v' || !top ? pad('<nil>', spec, false) : badVerb(value, spec);
  }
  if (Array.isArray(value)) {
    // fmt applies the verb (and width) to each element of a slice
    return '[' + value.map((v) => formatArg(v, spec, false)).join(' ') + ']';
  }
  if (value instanceof GoTime) return spec.verb === 'v' || spec.verb === 's' ? pad(value.toString(), spec, false) : badVerb(value, spec);
  if (isGoMap(value)) {
    return 'map[' + sortedKeys(value).map((k) => `${formatArg(k, spec, false)}:${formatArg(value[k], spec, false)}`).join(' ') + ']';
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
      // %#q: a raw string when strconv.CanBackquote; %+q: ASCII only
      if (spec.sharp && canBackquote(value)) return pad('`' + value + '`', spec, false);
      return pad(quoteGo(value, spec.plus), spec, false);
    case 'x':
    case 'X': {
      // fmtSbx: precision limits the input bytes; ' ' separates bytes; '#' adds 0x (to each byte when spaced)
      let bytes = Buffer.from(value, 'utf8');
      if (spec.precision !== undefined && spec.precision < bytes.length) bytes = bytes.subarray(0, spec.precision);
      const prefix = spec.sharp ? (spec.verb === 'x' ? '0x' : '0X') : '';
      let hex = '';
      bytes.forEach((b, index) => {
        if (spec.space && index > 0) hex += ' ';
        if (index === 0 || spec.space) hex += prefix;
        hex += spec.verb === 'x' ? b.toString(16).padStart(2, '0') : b.toString(16).toUpperCase().padStart(2, '0');
      });
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
  // with a precision the zero flag is ignored (fmtInteger)
  return pad(withSign(digits, negative, spec), spec.precision === undefined ? spec : { ...spec, zero: false }, true);
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

/** strconv.CanBackquote: no backquote, no control characters other than tab. */
function canBackquote(value: string): boolean {
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '`' || code === 0xfeff || (code < 0x20 && ch !== '\t') || code === 0x7f) return false;
  }
  return true;
}

/** strconv.Quote (strconv.QuoteToASCII when `ascii`): a double-quoted Go string literal. */
export function quoteGo(value: string, ascii = false): string {
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
    else if ((code >= 0x80 && code < 0xa0) || (ascii && code >= 0x80)) out += code > 0xffff ? '\\U' + code.toString(16).padStart(8, '0') : '\\u' + code.toString(16).padStart(4, '0');
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
