/** Go text/template's predefined functions. */
import type { TemplateFunc } from './exec.js';
import { sprintf } from './fmt.js';
import { compareStrings, formatValue, goTypeName, isGoMap, isNil, isTrue } from './values.js';

type Basic = 'bool' | 'int' | 'float' | 'string';

function basicKind(value: unknown): Basic | undefined {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    default:
      return undefined;
  }
}

/**
 * Go's `eq` for one pair (text/template funcs.go, Go >= 1.18): values of different basic kinds are an error only
 * when both are valid, so nil or a missing value compared with anything is simply false; two nils are equal;
 * maps and slices can only be compared with nil.
 */
function equalValues(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) {
    if (!isNil(a) && !isNil(b)) throw new Error(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
    return false;
  }
  if (ka !== undefined) return a === b;
  // neither is a basic kind: nil, missing, map, slice, function
  if (isNil(a) || isNil(b)) {
    if (!isNil(a) && typeof a === 'function') throw new Error(`non-comparable types ${sprintf('%s', [a])}: ${goTypeName(a)}, ${goTypeName(b)}: ${sprintf('%v', [b])}`);
    return isNil(a) && isNil(b);
  }
  throw new Error(`non-comparable type ${sprintf('%s', [b])}: ${goTypeName(b)}`);
}

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  for (const b of rest) if (equalValues(a, b)) return true;
  return false;
}

/** Go's `lt`: only basic kinds of the same kind; bool is not ordered. */
function lessThan(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === undefined || kb === undefined) throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  if (ka === 'bool') throw new Error('invalid type for comparison');
  if (ka === 'string') return compareStrings(a as string, b as string) < 0;
  return (a as number | bigint) < (b as number | bigint);
}

function lessOrEqual(a: unknown, b: unknown): boolean {
  return lessThan(a, b) || eq(a, b);
}

function toIndex(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new Error(`cannot index slice/array with type ${goTypeName(value)}`);
}

function length(value: unknown): bigint {
  if (typeof value === 'string') return BigInt(Buffer.byteLength(value, 'utf8'));
  if (Array.isArray(value)) return BigInt(value.length);
  if (isGoMap(value)) return BigInt(Object.keys(value).length);
  if (isNil(value)) throw new Error('len of nil pointer');
  throw new Error(`len of type ${goTypeName(value)}`);
}

function index(item: unknown, ...indexes: unknown[]): unknown {
  let value = item;
  for (const key of indexes) {
    if (isNil(value)) throw new Error('index of untyped nil');
    if (Array.isArray(value) || typeof value === 'string') {
      const i = toIndex(key);
      if (i < 0 || i >= value.length) throw new Error(`index out of range: ${i}`);
      value = typeof value === 'string' ? BigInt(Buffer.from(value, 'utf8')[i]!) : value[i];
    } else if (isGoMap(value)) {
      if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`);
      value = Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
    } else {
      throw new Error(`can't index item of type ${goTypeName(value)}`);
    }
  }
  return value;
}

function slice(item: unknown, ...indexes: unknown[]): unknown {
  if (isNil(item)) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    const bytes = Buffer.from(item, 'utf8');
    const from = indexes[0] === undefined ? 0 : toIndex(indexes[0]);
    const to = indexes[1] === undefined ? bytes.length : toIndex(indexes[1]);
    if (from < 0 || to > bytes.length || from > to) throw new Error(`index out of range: ${from > to ? to : Math.max(from, to)}`);
    return bytes.subarray(from, to).toString('utf8');
  }
  if (Array.isArray(item)) {
    const from = indexes[0] === undefined ? 0 : toIndex(indexes[0]);
    const to = indexes[1] === undefined ? item.length : toIndex(indexes[1]);
    if (from < 0 || to > item.length || from > to) throw new Error(`index out of range: ${to}`);
    return item.slice(from, to);
  }
  throw new Error(`can't slice item of type ${goTypeName(item)}`);
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
function sprint(...args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  }
  return out;
}

function evalArgsAsString(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(...args);
}

function htmlEscape(...args: unknown[]): string {
  return evalArgsAsString(args).replace(/[<>&'"\0]/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case "'":
        return '&#39;';
      case '"':
        return '&#34;';
      default:
        return '\uFFFD';
    }
  });
}

function jsEscape(...args: unknown[]): string {
  let out = '';
  for (const c of evalArgsAsString(args)) {
    switch (c) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '"':
        out += '\\"';
        break;
      case '<':
        out += '\\u003C';
        break;
      case '>':
        out += '\\u003E';
        break;
      case '&':
        out += '\\u0026';
        break;
      case '=':
        out += '\\u003D';
        break;
      case '\n':
        out += '\\u000A';
        break;
      case '\r':
        out += '\\u000D';
        break;
      case '\t':
        out += '\\u0009';
        break;
      default: {
        const code = c.codePointAt(0)!;
        out += code < 0x20 ? '\\u' + code.toString(16).toUpperCase().padStart(4, '0') : c;
      }
    }
  }
  return out;
}

/** url.QueryEscape */
function urlQuery(...args: unknown[]): string {
  return encodeURIComponent(evalArgsAsString(args))
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function builtinFuncs(): Record<string, TemplateFunc> {
  return {
    eq,
    ne: (a: unknown, b: unknown) => !eq(a, b),
    lt: (a: unknown, b: unknown) => lessThan(a, b),
    le: lessOrEqual,
    gt: (a: unknown, b: unknown) => !lessOrEqual(a, b),
    ge: (a: unknown, b: unknown) => !lessThan(a, b),
    not: (a: unknown) => !isTrue(a),
    // and/or are evaluated lazily by the executor; these are used only through `call`
    and: (...args: unknown[]) => args.find((a) => !isTrue(a)) ?? args[args.length - 1],
    or: (...args: unknown[]) => args.find((a) => isTrue(a)) ?? args[args.length - 1],
    len: (a: unknown) => length(a),
    index,
    slice,
    print: sprint,
    printf: (format: unknown, ...args: unknown[]) => sprintf(typeof format === 'string' ? format : formatValue(format), args),
    println: (...args: unknown[]) => args.map((a) => formatValue(a)).join(' ') + '\n',
    html: htmlEscape,
    js: jsEscape,
    urlquery: urlQuery,
    call: (fn: unknown, ...args: unknown[]) => {
      if (typeof fn !== 'function') throw new Error(`non-function of type ${goTypeName(fn)}`);
      return (fn as TemplateFunc)(...args);
    },
  };
}
