/**
 * The sprig function library (plus Helm's toYaml/fromYaml family), following sprig v3's behaviour:
 * lenient conversions (spf13/cast), int64 arithmetic, functions that return "" instead of failing
 * unless they are the `must*` variant.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { TemplateFunc } from './exec.js';
import { FuncError } from './exec.js';
import { unsafePatternReason } from '../shared/safe-regex.js';
import { allocate, allocateString } from './budget.js';
import { decodeYaml, encodeJson, encodeYaml } from './encoding.js';
import { quoteGo } from './fmt.js';
import { sprigCryptoFuncs } from './sprig-crypto.js';
import { sprigNetFuncs } from './sprig-net.js';
import { sprigTimeFuncs } from './sprig-time.js';
import { formatValue, goTypeName, isGoMap, isNil, kindOf, putKey, sortedKeys, type GoMap } from './values.js';

// ---------------------------------------------------------------- conversions (spf13/cast semantics)

export function toInt64(value: unknown): bigint {
  switch (typeof value) {
    case 'bigint':
      return value;
    case 'number':
      return Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n;
    case 'boolean':
      return value ? 1n : 0n;
    case 'string': {
      const text = value.trim();
      // cast.ToInt64 uses strconv.ParseInt(s, 0, 0): base prefixes allowed, otherwise 0 on failure
      if (/^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[0-9]+)$/.test(text)) {
        const negative = text.startsWith('-');
        let body = text.replace(/^[+-]/, '');
        if (/^0[0-7]+$/.test(body)) body = '0o' + body.slice(1);
        const parsed = BigInt(body);
        return negative ? -parsed : parsed;
      }
      return 0n;
    }
    default:
      return 0n;
  }
}

export function toFloat64(value: unknown): number {
  switch (typeof value) {
    case 'bigint':
      return Number(value);
    case 'number':
      return value;
    case 'boolean':
      return value ? 1 : 0;
    case 'string': {
      const parsed = Number(value.trim());
      return value.trim() === '' || Number.isNaN(parsed) ? 0 : parsed;
    }
    default:
      return 0;
  }
}

/** sprig's strval: strings as-is, everything else through fmt's %v. */
export function toStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return formatValue(value);
}

/** sprig's `empty`: the zero value of its type. */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  switch (typeof value) {
    case 'string':
      return value.length === 0;
    case 'boolean':
      return !value;
    case 'number':
      return value === 0;
    case 'bigint':
      return value === 0n;
    case 'function':
      return false;
    default:
      if (Array.isArray(value)) return value.length === 0;
      return Object.keys(value).length === 0;
  }
}

function toList(value: unknown, fn: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Uint8Array) return Array.from(value, (b) => BigInt(b));
  throw new Error(`Cannot ${fn} on type ${goTypeName(value)}`);
}

function asMap(value: unknown, fn: string): GoMap {
  if (isGoMap(value)) return value;
  throw new Error(`wrong type for value; expected map[string]interface {}; got ${goTypeName(value)} (calling ${fn})`);
}

// ---------------------------------------------------------------- strings

const titleCase = (s: string): string => {
  // strings.Title: upper-case the first letter of each word; letters, digits, _ and ' continue a word
  let out = '';
  let prevLetter = false;
  for (const ch of s) {
    const letterLike = /[\p{L}\p{N}_']/u.test(ch);
    out += letterLike && !prevLetter ? ch.toUpperCase() : ch;
    prevLetter = letterLike;
  }
  return out;
};

function substr(start: unknown, end: unknown, value: unknown): string {
  const s = toStr(value);
  const from = Number(toInt64(start));
  const to = Number(toInt64(end));
  if (from < 0) return s.slice(0, to);
  if (to < 0 || to > s.length) return s.slice(from);
  return s.slice(from, to);
}

function trunc(count: unknown, value: unknown): string {
  const s = toStr(value);
  const c = Number(toInt64(count));
  if (c < 0 && s.length + c > 0) return s.slice(s.length + c);
  if (c >= 0 && s.length > c) return s.slice(0, c);
  return s;
}

function abbrev(width: unknown, value: unknown): string {
  const s = toStr(value);
  const w = Number(toInt64(width));
  if (w < 4 || s.length <= w) return s;
  return s.slice(0, w - 3) + '...';
}

function indent(spaces: unknown, value: unknown): string {
  const width = Math.max(0, Number(toInt64(spaces)));
  const text = toStr(value);
  allocateString(width * (1 + (text.match(/\n/g)?.length ?? 0)) + text.length);
  const pad = ' '.repeat(width);
  return pad + toStr(value).replace(/\n/g, '\n' + pad);
}

function trimCutset(value: string, cutset: string, left: boolean, right: boolean): string {
  const chars = new Set(Array.from(cutset));
  const arr = Array.from(value);
  let start = 0;
  let end = arr.length;
  if (left) while (start < end && chars.has(arr[start]!)) start++;
  if (right) while (end > start && chars.has(arr[end - 1]!)) end--;
  return arr.slice(start, end).join('');
}

function goSplit(sep: string, s: string, limit = -1): string[] {
  if (sep === '') return Array.from(s);
  const parts = s.split(sep);
  if (limit > 0 && parts.length > limit) return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
  return parts;
}

// ---------------------------------------------------------------- regex (RE2 → JS)

const regexCache = new Map<string, RegExp>();

function compileRegex(pattern: unknown, global: boolean): RegExp {
  const source = toStr(pattern);
  const key = (global ? 'g:' : ':') + source;
  let re = regexCache.get(key);
  if (re === undefined) {
    let body = source;
    let flags = global ? 'gu' : 'u';
    // RE2 leading flag groups such as (?i) or (?s) become JS flags
    const flagGroup = /^\(\?([imsU]+)\)/.exec(body);
    if (flagGroup !== null) {
      body = body.slice(flagGroup[0].length);
      for (const f of flagGroup[1]!) if (f !== 'U' && !flags.includes(f)) flags += f;
    }
    // JavaScript backtracks where RE2 does not: refuse what could take exponential time (src/shared/safe-regex.ts)
    const reason = unsafePatternReason(body);
    if (reason !== undefined) throw new Error(`regular expression ${JSON.stringify(source)} is refused: ${reason}`);
    body = body.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$(?![\\s\\S])');
    try {
      re = new RegExp(body, flags);
    } catch (error) {
      throw new Error(`error parsing regexp: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (regexCache.size >= 500) regexCache.delete(regexCache.keys().next().value!); // patterns come from templates: bounded
    regexCache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

/** Go's regexp.Expand template: $1, ${1}, $name, ${name}; `$$` is a literal dollar. */
function goReplacement(repl: string): (match: string, ...rest: unknown[]) => string {
  return (match: string, ...rest: unknown[]) => {
    const last = rest[rest.length - 1];
    const groups = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : undefined;
    const numbered = rest.slice(0, groups === undefined ? -2 : -3) as (string | undefined)[];
    return repl.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_m, all: string, braced: string | undefined, bare: string | undefined) => {
      if (all === '$') return '$';
      const name = braced ?? bare ?? '';
      if (/^\d+$/.test(name)) {
        const n = Number(name);
        return n === 0 ? match : (numbered[n - 1] ?? '');
      }
      return groups?.[name] ?? '';
    });
  };
}

// ---------------------------------------------------------------- dicts

function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (isGoMap(value)) {
    const out: GoMap = {};
    for (const [k, v] of Object.entries(value)) putKey(out, k, deepCopy(v));
    return out;
  }
  return value;
}

/** mergo.Merge semantics: fills keys that are missing or empty in dst (by reference, as mergo does); recurses into nested maps. */
function mergeInto(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const [key, srcValue] of Object.entries(src)) {
    const dstValue = Object.prototype.hasOwnProperty.call(dst, key) ? dst[key] : undefined;
    if (isGoMap(dstValue) && isGoMap(srcValue)) {
      mergeInto(dstValue, srcValue, overwrite);
    } else if (!Object.prototype.hasOwnProperty.call(dst, key) || isEmpty(dstValue)) {
      putKey(dst, key, srcValue); // mergo assigns by reference (sprig issue 188 depends on it)
    } else if (overwrite && !isEmpty(srcValue)) {
      putKey(dst, key, srcValue);
    }
  }
}

function dig(...args: unknown[]): unknown {
  if (args.length < 3) throw new Error('dig needs at least three arguments');
  const dict = args[args.length - 1];
  const fallback = args[args.length - 2];
  const keys = args.slice(0, -2);
  let current: unknown = asMap(dict, 'dig');
  for (const key of keys) {
    if (!isGoMap(current) || !Object.prototype.hasOwnProperty.call(current, toStr(key))) return fallback;
    current = current[toStr(key)];
  }
  return current;
}

// ---------------------------------------------------------------- random

function randomFrom(alphabet: string, count: unknown): string {
  const n = Number(toInt64(count));
  allocateString(n);
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)]!;
  return out;
}

const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const digits = '0123456789';
let asciiPrintable = '';
for (let c = 32; c < 127; c++) asciiPrintable += String.fromCharCode(c);

// ---------------------------------------------------------------- numbers

function intArgs(args: unknown[]): bigint[] {
  return args.map(toInt64);
}

function untilStep(start: bigint, stop: bigint, step: bigint): bigint[] {
  const out: bigint[] = [];
  if (step === 0n) return out;
  allocate(Number((stop - start) / step));
  if (step > 0n) for (let i = start; i < stop; i += step) out.push(i);
  else for (let i = start; i > stop; i += step) out.push(i);
  return out;
}

function seq(...args: unknown[]): string {
  const nums = intArgs(args);
  let start = 1n;
  let end: bigint;
  let step = 1n;
  if (nums.length === 1) end = nums[0]!;
  else if (nums.length === 2) [start, end] = nums as [bigint, bigint];
  else if (nums.length === 3) [start, step, end] = nums as [bigint, bigint, bigint];
  else return '';
  if (nums.length < 3 && end < start) step = -1n;
  if (step !== 0n) allocate(Number((end - start) / step));
  const out: bigint[] = [];
  if (step > 0n) for (let i = start; i <= end; i += step) out.push(i);
  else if (step < 0n) for (let i = start; i >= end; i += step) out.push(i);
  return out.join(' ');
}

/** Go's math.Round: half away from zero. */
function roundHalfAway(value: number, places: number): number {
  const factor = 10 ** places;
  const scaled = Math.abs(value) * factor;
  const rounded = Math.floor(scaled + 0.5) / factor;
  return value < 0 ? -rounded : rounded;
}

// ---------------------------------------------------------------- the table

export function sprigFuncs(): Record<string, TemplateFunc> {
  const funcs: Record<string, TemplateFunc> = {
    ...sprigTimeFuncs(toStr),
    ...sprigCryptoFuncs(toStr, toInt64),
    ...sprigNetFuncs(toStr),
    // defaults
    default: (fallback: unknown, ...given: unknown[]) => (given.length === 0 || isEmpty(given[0]) ? fallback : given[0]),
    empty: (value: unknown) => isEmpty(value),
    coalesce: (...values: unknown[]) => values.find((v) => !isEmpty(v)) ?? null,
    all: (...values: unknown[]) => values.every((v) => !isEmpty(v)),
    any: (...values: unknown[]) => values.some((v) => !isEmpty(v)),
    ternary: (whenTrue: unknown, whenFalse: unknown, condition: unknown) => (condition === true ? whenTrue : whenFalse),
    required: (message: unknown, value: unknown) => {
      if (isNil(value) || (typeof value === 'string' && value === '')) throw new FuncError(toStr(message));
      return value;
    },
    fail: (message: unknown) => {
      throw new FuncError(toStr(message));
    },

    // strings
    quote: (...values: unknown[]) => values.filter((v) => !isNil(v)).map((v) => quoteGo(toStr(v))).join(' '),
    squote: (...values: unknown[]) => values.filter((v) => !isNil(v)).map((v) => `'${toStr(v)}'`).join(' '),
    upper: (s: unknown) => toStr(s).toUpperCase(),
    lower: (s: unknown) => toStr(s).toLowerCase(),
    title: (s: unknown) => titleCase(toStr(s)),
    untitle: (s: unknown) => toStr(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, ch: string) => pre + ch.toLowerCase()),
    trim: (s: unknown) => toStr(s).replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, ''),
    trimAll: (cutset: unknown, s: unknown) => trimCutset(toStr(s), toStr(cutset), true, true),
    trimPrefix: (prefix: unknown, s: unknown) => {
      const str = toStr(s);
      const p = toStr(prefix);
      return str.startsWith(p) ? str.slice(p.length) : str;
    },
    trimSuffix: (suffix: unknown, s: unknown) => {
      const str = toStr(s);
      const x = toStr(suffix);
      return x !== '' && str.endsWith(x) ? str.slice(0, str.length - x.length) : str;
    },
    replace: (old: unknown, replacement: unknown, s: unknown) => toStr(s).split(toStr(old)).join(toStr(replacement)),
    contains: (substr: unknown, s: unknown) => toStr(s).includes(toStr(substr)),
    hasPrefix: (prefix: unknown, s: unknown) => toStr(s).startsWith(toStr(prefix)),
    hasSuffix: (suffix: unknown, s: unknown) => toStr(s).endsWith(toStr(suffix)),
    repeat: (count: unknown, s: unknown) => {
      const text = toStr(s);
      const n = Math.max(0, Number(toInt64(count)));
      allocateString(n * text.length);
      return text.repeat(n);
    },
    substr,
    nospace: (s: unknown) => toStr(s).replace(/\s+/g, ''),
    trunc,
    abbrev,
    initials: (s: unknown) =>
      toStr(s)
        .split(/\s+/)
        .filter((w) => w !== '')
        .map((w) => Array.from(w)[0])
        .join(''),
    wrap: (width: unknown, s: unknown) => wrapCustom(toStr(s), Number(toInt64(width)), '', false),
    wrapWith: (width: unknown, sep: unknown, s: unknown) => wrapCustom(toStr(s), Number(toInt64(width)), toStr(sep), true),
    abbrevboth: (left: unknown, right: unknown, s: unknown) => abbrevBoth(Number(toInt64(left)), Number(toInt64(right)), toStr(s)),
    swapcase: (s: unknown) => swapCase(toStr(s)),
    shuffle: (s: unknown) => {
      const runes = Array.from(toStr(s));
      for (let i = runes.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [runes[i], runes[j]] = [runes[j]!, runes[i]!];
      }
      return runes.join('');
    },
    hello: () => 'Hello!',
    cat: (...values: unknown[]) =>
      values
        .filter((v) => !isNil(v))
        .map(toStr)
        .join(' '),
    indent,
    nindent: (spaces: unknown, s: unknown) => '\n' + indent(spaces, s),
    snakecase: (s: unknown) => lowerWords(toStr(s), '_'),
    camelcase: (s: unknown) => pascalCase(toStr(s)),
    kebabcase: (s: unknown) => lowerWords(toStr(s), '-'),
    plural: (one: unknown, many: unknown, count: unknown) => (toInt64(count) === 1n ? toStr(one) : toStr(many)),
    split: (sep: unknown, s: unknown) => {
      const out: GoMap = {};
      goSplit(toStr(sep), toStr(s)).forEach((part, i) => (out[`_${i}`] = part));
      return out;
    },
    splitn: (sep: unknown, n: unknown, s: unknown) => {
      const out: GoMap = {};
      goSplit(toStr(sep), toStr(s), Number(toInt64(n))).forEach((part, i) => (out[`_${i}`] = part));
      return out;
    },
    splitList: (sep: unknown, s: unknown) => goSplit(toStr(sep), toStr(s)),
    join: (sep: unknown, list: unknown) => {
      const items = Array.isArray(list) ? list : isNil(list) ? [] : [list];
      return items
        .filter((v) => !isNil(v))
        .map(toStr)
        .join(toStr(sep));
    },
    toString: (value: unknown) => toStr(value),
    toStrings: (list: unknown) => (Array.isArray(list) ? list.filter((v) => !isNil(v)).map(toStr) : isNil(list) ? [] : [toStr(list)]),
    sortAlpha: (list: unknown) => (Array.isArray(list) ? list.map(toStr).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : [toStr(list)]),

    // lists
    list: (...values: unknown[]) => values,
    tuple: (...values: unknown[]) => values,
    chunk: (size: unknown, list: unknown) => chunk(size, list),
    mustChunk: (size: unknown, list: unknown) => chunk(size, list),
    mustSlice: (list: unknown, ...indexes: unknown[]) => sprigSlice(list, indexes),
    first: (list: unknown) => (isNil(list) ? null : (toList(list, 'first')[0] ?? null)),
    last: (list: unknown) => {
      if (isNil(list)) return null;
      const l = toList(list, 'last');
      return l.length === 0 ? null : l[l.length - 1];
    },
    rest: (list: unknown) => (isNil(list) ? null : toList(list, 'rest').slice(1)),
    initial: (list: unknown) => (isNil(list) ? null : toList(list, 'initial').slice(0, -1)),
    append: (list: unknown, value: unknown) => [...(isNil(list) ? [] : toList(list, 'append')), value],
    push: (list: unknown, value: unknown) => [...(isNil(list) ? [] : toList(list, 'push')), value],
    prepend: (list: unknown, value: unknown) => [value, ...(isNil(list) ? [] : toList(list, 'prepend'))],
    concat: (...lists: unknown[]) => lists.flatMap((l) => (isNil(l) ? [] : toList(l, 'concat'))),
    reverse: (list: unknown) => [...toList(list, 'reverse')].reverse(),
    uniq: (list: unknown) => {
      const out: unknown[] = [];
      for (const item of toList(list, 'uniq')) if (!out.some((o) => deepEqual(o, item))) out.push(item);
      return out;
    },
    without: (list: unknown, ...omit: unknown[]) => toList(list, 'without').filter((item) => !omit.some((o) => deepEqual(o, item))),
    has: (needle: unknown, haystack: unknown) => (isNil(haystack) ? false : toList(haystack, 'has').some((item) => deepEqual(item, needle))),
    compact: (list: unknown) => toList(list, 'compact').filter((item) => !isEmpty(item)),
    until: (count: unknown) => {
      const n = toInt64(count);
      return untilStep(0n, n, n < 0n ? -1n : 1n);
    },
    untilStep: (start: unknown, stop: unknown, step: unknown) => untilStep(toInt64(start), toInt64(stop), toInt64(step)),
    seq,

    // dicts
    dict: (...pairs: unknown[]) => {
      const out: GoMap = {};
      for (let i = 0; i < pairs.length; i += 2) putKey(out, toStr(pairs[i]), i + 1 < pairs.length ? pairs[i + 1] : '');
      return out;
    },
    get: (dict: unknown, key: unknown) => {
      const map = asMap(dict, 'get');
      const k = toStr(key);
      return Object.prototype.hasOwnProperty.call(map, k) ? map[k] : '';
    },
    set: (dict: unknown, key: unknown, value: unknown) => {
      const map = asMap(dict, 'set');
      putKey(map, toStr(key), value);
      return map;
    },
    unset: (dict: unknown, key: unknown) => {
      const map = asMap(dict, 'unset');
      delete map[toStr(key)];
      return map;
    },
    hasKey: (dict: unknown, key: unknown) => Object.prototype.hasOwnProperty.call(asMap(dict, 'hasKey'), toStr(key)),
    // Go's map iteration order is random, so sprig's keys/values have no order; we sort for determinism.
    keys: (...dicts: unknown[]) => dicts.flatMap((d) => sortedKeys(asMap(d, 'keys'))),
    values: (dict: unknown) => {
      const map = asMap(dict, 'values');
      return sortedKeys(map).map((k) => map[k]);
    },
    pluck: (key: unknown, ...dicts: unknown[]) => {
      const k = toStr(key);
      return dicts.filter((d) => isGoMap(d) && Object.prototype.hasOwnProperty.call(d, k)).map((d) => (d as GoMap)[k]);
    },
    pick: (dict: unknown, ...keys: unknown[]) => {
      const map = asMap(dict, 'pick');
      const out: GoMap = {};
      for (const key of keys.map(toStr)) if (Object.prototype.hasOwnProperty.call(map, key)) putKey(out, key, map[key]);
      return out;
    },
    omit: (dict: unknown, ...keys: unknown[]) => {
      const map = asMap(dict, 'omit');
      const drop = new Set(keys.map(toStr));
      const out: GoMap = {};
      for (const [k, v] of Object.entries(map)) if (!drop.has(k)) putKey(out, k, v);
      return out;
    },
    merge: (dst: unknown, ...srcs: unknown[]) => {
      const target = asMap(dst, 'merge');
      for (const src of srcs) if (isGoMap(src)) mergeInto(target, src, false);
      return target;
    },
    mergeOverwrite: (dst: unknown, ...srcs: unknown[]) => {
      const target = asMap(dst, 'mergeOverwrite');
      for (const src of srcs) if (isGoMap(src)) mergeInto(target, src, true);
      return target;
    },
    deepCopy: (value: unknown) => deepCopy(value),
    dig,

    // encoding
    toJson: (value: unknown) => {
      try {
        return encodeJson(value, true);
      } catch {
        return '';
      }
    },
    toRawJson: (value: unknown) => {
      try {
        return encodeJson(value, false);
      } catch {
        return '';
      }
    },
    toPrettyJson: (value: unknown) => {
      try {
        return encodeJson(value, true, '  ');
      } catch {
        return '';
      }
    },
    mustToJson: (value: unknown) => encodeJson(value, true),
    mustToRawJson: (value: unknown) => encodeJson(value, false),
    mustToPrettyJson: (value: unknown) => encodeJson(value, true, '  '),
    fromJson: (text: unknown) => {
      try {
        return jsonToGo(JSON.parse(toStr(text)));
      } catch {
        return null;
      }
    },
    mustFromJson: (text: unknown) => jsonToGo(JSON.parse(toStr(text))),
    fromJsonArray: (text: unknown) => {
      try {
        const parsed = jsonToGo(JSON.parse(toStr(text)));
        return Array.isArray(parsed) ? (parsed as unknown[]) : [];
      } catch {
        return [];
      }
    },
    toYaml: (value: unknown) => {
      try {
        return encodeYaml(value).replace(/\n$/, '');
      } catch {
        return '';
      }
    },
    mustToYaml: (value: unknown) => encodeYaml(value).replace(/\n$/, ''),
    fromYaml: (text: unknown) => {
      try {
        const parsed = decodeYaml(toStr(text));
        return isGoMap(parsed) ? parsed : {};
      } catch (error) {
        return { Error: error instanceof Error ? error.message : String(error) };
      }
    },
    fromYamlArray: (text: unknown) => {
      try {
        const parsed = decodeYaml(toStr(text));
        return Array.isArray(parsed) ? (parsed as unknown[]) : [];
      } catch (error) {
        return [error instanceof Error ? error.message : String(error)];
      }
    },
    b64enc: (s: unknown) => Buffer.from(toStr(s), 'utf8').toString('base64'),
    b64dec: (s: unknown) => {
      const text = toStr(s);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return 'illegal base64 data at input byte 0';
      return Buffer.from(text, 'base64').toString('utf8');
    },
    b32enc: (s: unknown) => base32(Buffer.from(toStr(s), 'utf8')),
    b32dec: (s: unknown) => base32Decode(toStr(s)),
    adler32sum: (s: unknown) => String(adler32(Buffer.from(toStr(s), 'utf8'))),

    // random
    randAlphaNum: (n: unknown) => randomFrom(letters + digits, n),
    randAlpha: (n: unknown) => randomFrom(letters, n),
    randNumeric: (n: unknown) => randomFrom(digits, n),
    randAscii: (n: unknown) => randomFrom(asciiPrintable, n),
    randInt: (min: unknown, max: unknown) => {
      const lo = Number(toInt64(min));
      const hi = Number(toInt64(max));
      return BigInt(lo + randomInt(Math.max(1, hi - lo)));
    },
    uuidv4: () => randomUUID(),

    // regex
    regexMatch: (pattern: unknown, s: unknown) => compileRegex(pattern, false).test(toStr(s)),
    mustRegexMatch: (pattern: unknown, s: unknown) => compileRegex(pattern, false).test(toStr(s)),
    regexFind: (pattern: unknown, s: unknown) => compileRegex(pattern, false).exec(toStr(s))?.[0] ?? '',
    regexFindAll: (pattern: unknown, s: unknown, n: unknown) => {
      const limit = Number(toInt64(n));
      const matches = Array.from(toStr(s).matchAll(compileRegex(pattern, true)), (m) => m[0]);
      return limit < 0 ? matches : matches.slice(0, limit);
    },
    regexReplaceAll: (pattern: unknown, s: unknown, repl: unknown) => toStr(s).replace(compileRegex(pattern, true), goReplacement(toStr(repl))),
    regexReplaceAllLiteral: (pattern: unknown, s: unknown, repl: unknown) => toStr(s).replace(compileRegex(pattern, true), () => toStr(repl)),
    regexSplit: (pattern: unknown, s: unknown, n: unknown) => {
      const limit = Number(toInt64(n));
      const text = toStr(s);
      const re = compileRegex(pattern, true);
      const parts: string[] = [];
      let last = 0;
      for (const m of text.matchAll(re)) {
        if (limit > 0 && parts.length === limit - 1) break;
        if (m[0] === '' && m.index === 0) continue;
        parts.push(text.slice(last, m.index));
        last = m.index + m[0].length;
      }
      parts.push(text.slice(last));
      return limit === 0 ? [] : parts;
    },
    regexQuoteMeta: (s: unknown) => toStr(s).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'),

    // numbers
    int: (v: unknown) => toInt64(v),
    int64: (v: unknown) => toInt64(v),
    atoi: (v: unknown) => {
      const text = toStr(v);
      return /^[+-]?\d+$/.test(text) ? BigInt(text) : 0n;
    },
    float64: (v: unknown) => toFloat64(v),
    toDecimal: (v: unknown) => {
      const text = toStr(v);
      return /^[+-]?[0-7]+$/.test(text) ? BigInt(parseInt(text, 8)) : 0n;
    },
    add: (...args: unknown[]) => intArgs(args).reduce((a, b) => a + b, 0n),
    add1: (v: unknown) => toInt64(v) + 1n,
    sub: (a: unknown, b: unknown) => toInt64(a) - toInt64(b),
    mul: (...args: unknown[]) => intArgs(args).reduce((a, b) => a * b, 1n),
    div: (a: unknown, b: unknown) => {
      const divisor = toInt64(b);
      if (divisor === 0n) throw new Error('runtime error: integer divide by zero');
      return toInt64(a) / divisor;
    },
    mod: (a: unknown, b: unknown) => {
      const divisor = toInt64(b);
      if (divisor === 0n) throw new Error('runtime error: integer divide by zero');
      return toInt64(a) % divisor;
    },
    max: (first: unknown, ...rest: unknown[]) => intArgs(rest).reduce((a, b) => (b > a ? b : a), toInt64(first)),
    min: (first: unknown, ...rest: unknown[]) => intArgs(rest).reduce((a, b) => (b < a ? b : a), toInt64(first)),
    // sprig computes these with shopspring/decimal: exact decimal arithmetic on the floats' shortest forms
    addf: (...args: unknown[]) => decimalOp(0, args, 'add'),
    add1f: (v: unknown) => decimalOp(v, [1], 'add'),
    subf: (first: unknown, ...rest: unknown[]) => decimalOp(first, rest, 'sub'),
    mulf: (first: unknown, ...rest: unknown[]) => decimalOp(first, rest, 'mul'),
    divf: (first: unknown, ...rest: unknown[]) => decimalOp(first, rest, 'div'),
    maxf: (first: unknown, ...rest: unknown[]) => Math.max(toFloat64(first), ...rest.map(toFloat64)),
    minf: (first: unknown, ...rest: unknown[]) => Math.min(toFloat64(first), ...rest.map(toFloat64)),
    floor: (v: unknown) => Math.floor(toFloat64(v)),
    ceil: (v: unknown) => Math.ceil(toFloat64(v)),
    round: (v: unknown, places: unknown, roundOn?: unknown) => {
      const value = toFloat64(v);
      const p = Number(toInt64(places));
      if (roundOn === undefined) return roundHalfAway(value, p);
      const pow = 10 ** p;
      const digit = value * pow;
      const threshold = toFloat64(roundOn);
      const frac = digit - Math.trunc(digit);
      return (frac >= threshold ? Math.ceil(digit) : Math.floor(digit)) / pow;
    },

    // reflection
    kindOf: (v: unknown) => kindOf(v),
    kindIs: (kind: unknown, v: unknown) => toStr(kind) === kindOf(v),
    typeOf: (v: unknown) => goTypeName(v),
    typeIs: (type: unknown, v: unknown) => toStr(type) === goTypeName(v),
    typeIsLike: (type: unknown, v: unknown) => toStr(type) === goTypeName(v) || toStr(type) === '*' + goTypeName(v),
    deepEqual: (a: unknown, b: unknown) => deepEqual(a, b),

    // environment: disabled, templates must not read the orchestrator's environment
    env: () => '',
    expandenv: (s: unknown) => toStr(s).replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ''),

    // misc
    semverCompare: (constraint: unknown, version: unknown) => semverSatisfies(toStr(constraint), toStr(version)),
    semver: (version: unknown) => {
      const parsed = parseSemver(toStr(version));
      if (parsed === undefined) throw new Error(`Invalid Semantic Version`);
      return semverValue(parsed, toStr(version));
    },
  };
  funcs.mustMerge = funcs.merge!;
  funcs.mustMergeOverwrite = funcs.mergeOverwrite!;
  funcs.mustDeepCopy = funcs.deepCopy!;
  funcs.mustAppend = funcs.append!;
  funcs.mustPush = funcs.push!;
  funcs.mustPrepend = funcs.prepend!;
  funcs.mustFirst = funcs.first!;
  funcs.mustLast = funcs.last!;
  funcs.mustRest = funcs.rest!;
  funcs.mustInitial = funcs.initial!;
  funcs.mustUniq = funcs.uniq!;
  funcs.mustWithout = funcs.without!;
  funcs.mustHas = funcs.has!;
  funcs.mustCompact = funcs.compact!;
  funcs.mustReverse = funcs.reverse!;
  funcs.mustRegexFind = funcs.regexFind!;
  funcs.mustRegexFindAll = funcs.regexFindAll!;
  funcs.mustRegexReplaceAll = funcs.regexReplaceAll!;
  funcs.mustRegexReplaceAllLiteral = funcs.regexReplaceAllLiteral!;
  funcs.mustRegexSplit = funcs.regexSplit!;
  funcs.trimall = funcs.trimAll!;
  funcs.biggest = funcs.max!;
  funcs.toBool = (v: unknown) => v === true || (typeof v === 'string' && /^(1|t|T|TRUE|true|True)$/.test(v)) || (typeof v !== 'string' && !isEmpty(v) && typeof v !== 'boolean');
  return funcs;
}

/** encoding/json decodes every number as float64. */
function jsonToGo(value: unknown): unknown {
  return value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isGoMap(a) && isGoMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]!;
  while (out.length % 8 !== 0) out += '=';
  return out;
}

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

type Semver = [number, number, number, string];

/** Masterminds' *semver.Version: its fields, and the comparison methods templates call (Compare, LessThan, ...). */
function semverValue(parsed: Semver, original: string): GoMap {
  const value: GoMap = { Major: BigInt(parsed[0]), Minor: BigInt(parsed[1]), Patch: BigInt(parsed[2]), Prerelease: parsed[3], Original: original };
  const other = (v: unknown): Semver => {
    const o = isGoMap(v) && typeof v.Original === 'string' ? parseSemver(v.Original) : undefined;
    if (o === undefined) throw new Error(`wrong type for value; expected *semver.Version; got ${goTypeName(v)}`);
    return o;
  };
  const methods: Record<string, TemplateFunc> = {
    Compare: (v: unknown) => BigInt(compareSemver(parsed, other(v))),
    LessThan: (v: unknown) => compareSemver(parsed, other(v)) < 0,
    GreaterThan: (v: unknown) => compareSemver(parsed, other(v)) > 0,
    Equal: (v: unknown) => compareSemver(parsed, other(v)) === 0,
  };
  for (const [name, fn] of Object.entries(methods)) Object.defineProperty(value, name, { value: fn, enumerable: false });
  return value;
}

function parseSemver(text: string): Semver | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (m === null) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0), m[4] ?? ''];
}

function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number) ? -1 : 1;
  if (a[3] === b[3]) return 0;
  if (a[3] === '') return 1;
  if (b[3] === '') return -1;
  return a[3] < b[3] ? -1 : 1;
}

/** Masterminds/semver constraints: comparison operators, ~, ^, x-ranges, `,`/space for AND and `||` for OR. */
function semverSatisfies(constraint: string, versionText: string): boolean {
  const version = parseSemver(versionText);
  if (version === undefined) throw new Error(`Invalid Semantic Version`);
  return constraint.split('||').some((group) =>
    group
      .trim()
      .split(/\s*,\s*|\s+(?=[<>=!~^])/)
      .filter((c) => c !== '')
      .every((c) => checkConstraint(c.trim(), version)),
  );
}

function checkConstraint(c: string, v: Semver): boolean {
  const m = /^(>=|<=|!=|=>|=<|>|<|=|~>?|\^)?\s*v?(.*)$/.exec(c);
  if (m === null) throw new Error(`improper constraint: ${c}`);
  const op = m[1] ?? '';
  const body = m[2]!;
  if (!/^(\d+|[xX*])(\.(\d+|[xX*])){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(body)) throw new Error(`improper constraint: ${c}`);
  const parts = body.split('-')[0]!.split('.');
  const wild = (p: string | undefined): boolean => p === undefined || p === 'x' || p === 'X' || p === '*';
  const major = wild(parts[0]) ? undefined : Number(parts[0]);
  const minor = wild(parts[1]) ? undefined : Number(parts[1]);
  const patch = wild(parts[2]) ? undefined : Number(parts[2]);
  const pre = body.includes('-') ? body.slice(body.indexOf('-') + 1) : '';
  const base: Semver = [major ?? 0, minor ?? 0, patch ?? 0, pre];
  // Masterminds excludes prereleases unless the constraint has one
  if (v[3] !== '' && pre === '') return false;
  const cmp = compareSemver(v, base);
  switch (op) {
    case '':
    case '=':
      if (major === undefined) return true;
      if (minor === undefined) return v[0] === major;
      if (patch === undefined) return v[0] === major && v[1] === minor;
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '>':
      if (minor === undefined) return v[0] > base[0];
      if (patch === undefined) return v[0] > base[0] || (v[0] === base[0] && v[1] > base[1]);
      return cmp > 0;
    case '<':
      return cmp < 0;
    case '>=':
    case '=>':
      return cmp >= 0;
    case '<=':
    case '=<':
      if (minor === undefined) return v[0] <= base[0];
      if (patch === undefined) return v[0] < base[0] || (v[0] === base[0] && v[1] <= base[1]);
      return cmp <= 0;
    case '~':
    case '~>':
      return cmp >= 0 && v[0] === base[0] && (minor === undefined || v[1] === base[1]);
    case '^':
      if (base[0] > 0 || minor === undefined) return cmp >= 0 && v[0] === base[0];
      if (base[1] > 0 || patch === undefined) return cmp >= 0 && v[0] === 0 && v[1] === base[1];
      return cmp === 0;
    default:
      throw new Error(`improper constraint: ${c}`);
  }
}

/**
 * xstrings v1.5 ToSnakeCase/ToKebabCase: words break at lower→upper, before the last capital of a run followed by
 * a lower-case letter (HTTPServer → http_server), and at '_', ' ', '-'.
 */
function lowerWords(s: string, sep: string): string {
  return s
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .split(/[_\s-]+/u)
    .filter((w) => w !== '')
    .join(sep)
    .toLowerCase();
}

/** xstrings ToPascalCase (sprig's camelcase): `_` joins words; leading, trailing and doubled `_` are kept (one less). */
function pascalCase(s: string): string {
  const lead = /^_*/.exec(s)![0];
  const body = s.slice(lead.length);
  if (body === '') return lead;
  let out = lead;
  let upperNext = true;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '_' || ch === ' ' || ch === '-') {
      let j = i;
      while (j < body.length && (body[j] === '_' || body[j] === ' ' || body[j] === '-')) j++;
      out += j >= body.length ? body.slice(i) : '_'.repeat(j - i - 1);
      upperNext = true;
      i = j - 1;
      continue;
    }
    out += upperNext ? ch.toUpperCase() : ch;
    upperNext = false;
  }
  return out;
}

/** goutils.WrapCustom (sprig's wrap/wrapWith): breaks at spaces; long words only when `wrapLong`. */
function wrapCustom(str: string, width: number, newline: string, wrapLong: boolean): string {
  if (str === '') return '';
  const nl = newline === '' ? '\n' : newline;
  const w = width < 1 ? 1 : width;
  allocateString(str.length + Math.ceil(str.length / w) * nl.length);
  let out = '';
  let offset = 0;
  while (str.length - offset > w) {
    if (str[offset] === ' ') {
      offset++;
      continue;
    }
    const space = str.slice(offset, w + offset + 1).lastIndexOf(' ');
    if (space >= 0) {
      out += str.slice(offset, offset + space) + nl;
      offset += space + 1;
    } else if (wrapLong) {
      out += str.slice(offset, offset + w) + nl;
      offset += w;
    } else {
      const next = str.indexOf(' ', offset + w);
      if (next >= 0) {
        out += str.slice(offset, next) + nl;
        offset = next + 1;
      } else {
        out += str.slice(offset);
        offset = str.length;
      }
    }
  }
  return out + str.slice(offset);
}

/** goutils.AbbreviateFull as sprig's abbrevboth calls it. */
function abbrevBoth(left: number, right: number, s: string): string {
  if (right < 4 || (left > 0 && right < 7)) return s;
  if (s === '' || s.length <= right) return s;
  let offset = Math.min(left, s.length);
  if (s.length - offset < right - 3) offset = s.length - (right - 3);
  if (offset <= 4) return s.slice(0, right - 3) + '...';
  if (offset + right - 3 < s.length) {
    const rest = s.slice(offset);
    return '...' + (rest.length <= right - 3 ? rest : rest.slice(0, right - 6) + '...');
  }
  return '...' + s.slice(s.length - (right - 3));
}

/**
 * goutils.SwapCase: upper and title case to lower, lower case to upper (to title after whitespace, which is the
 * same letter except for the few digraphs such as ǆ).
 */
function swapCase(s: string): string {
  let out = '';
  for (const ch of s) {
    if (/\p{Lu}|\p{Lt}/u.test(ch)) out += ch.toLowerCase();
    else if (/\p{Ll}/u.test(ch)) out += ch.toUpperCase();
    else out += ch;
  }
  return out;
}

/** sprig's chunk: lists of `size` elements, the last one shorter. */
function chunk(size: unknown, list: unknown): unknown[][] {
  const items = toList(list, 'chunk');
  const n = Number(toInt64(size));
  if (items.length === 0) return [];
  if (n <= 0) throw new Error('runtime error: chunk size must be positive');
  allocate(items.length + Math.ceil(items.length / n));
  const out: unknown[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/** sprig's slice/mustSlice: lists only; an empty list gives nil. */
function sprigSlice(list: unknown, indexes: unknown[]): unknown {
  if (!Array.isArray(list)) throw new Error(`list should be type of slice or array but ${kindOf(list)}`);
  if (list.length === 0) return null;
  const start = indexes.length > 0 ? Number(toInt64(indexes[0])) : 0;
  const end = indexes.length < 2 ? list.length : Number(toInt64(indexes[1]));
  if (start < 0 || end > list.length || start > end) throw new Error(`runtime error: slice bounds out of range [${start}:${end}]`);
  return list.slice(start, end);
}

/** encoding/base32 StdEncoding.DecodeString, with Go's error text (sprig returns it as the result). */
function base32Decode(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  if (text.length % 8 !== 0) return `illegal base32 data at input byte ${Math.floor(text.length / 8) * 8}`;
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  const firstPad = text.indexOf('=');
  const body = firstPad < 0 ? text : text.slice(0, firstPad);
  if (firstPad >= 0 && !/^=+$/.test(text.slice(firstPad))) return `illegal base32 data at input byte ${firstPad}`;
  if (firstPad >= 0 && ![1, 3, 4, 6].includes(text.length - firstPad)) return `illegal base32 data at input byte ${firstPad}`;
  for (let i = 0; i < body.length; i++) {
    const v = alphabet.indexOf(body[i]!);
    if (v < 0) return `illegal base32 data at input byte ${i}`;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A decimal c × 10^e, as shopspring/decimal holds numbers. */
interface Decimal {
  c: bigint;
  e: number;
}

function decimalFrom(value: unknown): Decimal {
  const f = toFloat64(value);
  if (!Number.isFinite(f)) throw new Error(`Cannot create a Decimal from ${formatValue(f)}`);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(f))!;
  const frac = m[3] ?? '';
  return { c: BigInt(m[1]! + m[2]! + frac), e: Number(m[4] ?? 0) - frac.length };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.c * 10n ** BigInt(a.e - e), b.c * 10n ** BigInt(b.e - e), e];
}

/** decimal.Div: 16 digits after the point, half away from zero. */
function decimalDiv(a: Decimal, b: Decimal): Decimal {
  if (b.c === 0n) throw new Error('decimal division by zero');
  const shift = a.e - b.e + 16;
  const num = a.c * 10n ** BigInt(Math.max(0, shift)) * 2n;
  const den = b.c * 10n ** BigInt(Math.max(0, -shift));
  let q = num / den;
  q = q >= 0n ? (q + 1n) / 2n : (q - 1n) / 2n;
  return { c: q, e: -16 };
}

function decimalOp(first: unknown, rest: unknown[], op: 'add' | 'sub' | 'mul' | 'div'): number {
  let acc = decimalFrom(first);
  for (const item of rest) {
    const d = decimalFrom(item);
    if (op === 'mul') acc = { c: acc.c * d.c, e: acc.e + d.e };
    else if (op === 'div') acc = decimalDiv(acc, d);
    else {
      const [x, y, e] = align(acc, d);
      acc = { c: op === 'add' ? x + y : x - y, e };
    }
  }
  return Number(`${acc.c}e${acc.e}`);
}
