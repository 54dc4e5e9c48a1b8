/**
 * The value model of the template engine, mirroring how Go's text/template sees data.
 *
 * Go distinguishes integers from float64 where JavaScript has one number type. Data decoded from
 * JSON or YAML is float64 in Go (and a plain JS `number` here), while integer constants in a
 * template (`{{ 3 }}`), `len`, range indexes and sprig arithmetic are Go ints. We represent Go ints
 * as `bigint` so that printing (`1e+06` vs `1000000`), `toJson`, comparisons (`eq 1 1.0` is an
 * error in Go) and integer division behave as Go does.
 *
 * - `undefined`  = Go's invalid reflect.Value ("no value": a missing map key)
 * - `null`       = nil
 * - `bigint`     = int / int64
 * - `number`     = float64
 * - `string`, `boolean`
 * - arrays       = []interface{}
 * - plain objects = map[string]interface{}
 * - GoTime        = time.Time (sprig's date functions)
 */

import { GoTime } from './time.js';

export { GoTime };

export type GoMap = Record<string, unknown>;

export function isGoMap(value: unknown): value is GoMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof GoTime);
}

export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** Go's reflect.Kind names as sprig's `kindOf` reports them. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'invalid';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int64';
    case 'number':
      return 'float64';
    case 'function':
      return 'func';
    default:
      if (value instanceof GoTime) return 'struct';
      return Array.isArray(value) ? 'slice' : 'map';
  }
}

/** Go type names as `%T` and error messages print them. */
export function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'function':
      return 'func(...interface {}) interface {}';
    default:
      if (value instanceof GoTime) return 'time.Time';
      return Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
  }
}

/** Go's template truthiness: false, 0, nil, empty string/slice/map are false. */
export function isTrue(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0;
    case 'bigint':
      return value !== 0n;
    case 'function':
      return true;
    default:
      if (Array.isArray(value)) return value.length > 0;
      return Object.keys(value).length > 0;
  }
}

/**
 * Sets `key` in a template map. Go map keys are plain strings, so a key named `__proto__` is stored as an own
 * property (never through the prototype setter); reads go through hasOwnProperty, so `constructor` and the other
 * Object.prototype members are never reached either.
 */
export function putKey(map: GoMap, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}

/** Map keys in the order Go's fmt and `range` use: sorted. */
export function sortedKeys(map: GoMap): string[] {
  return Object.keys(map).sort(compareStrings);
}

/** Byte-wise (code unit) string ordering, as Go's `<` on strings for ASCII keys. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Go's `%v` for float64: shortest round-trip digits, exponent form when the exponent is < -4 or >= 6. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // toExponential() with no argument gives the shortest round-tripping digits, like Go's 'g' with precision -1.
  const exp = value.toExponential();
  const eIndex = exp.indexOf('e');
  const exponent = Number(exp.slice(eIndex + 1));
  // strconv's 'g' with shortest precision decides on exponent form as if the precision were 6,
  // which is why Go prints 1000000.0 as 1e+06.
  if (exponent < -4 || exponent >= 6) return goExponent(exp.slice(0, eIndex), exponent);
  return String(value);
}

function goExponent(mantissa: string, exponent: number): string {
  const sign = exponent < 0 ? '-' : '+';
  const digits = String(Math.abs(exponent)).padStart(2, '0');
  return `${mantissa}e${sign}${digits}`;
}

export { goExponent };

/**
 * Go's `fmt.Sprint`-style `%v` rendering of one value. `nested` is false for the value an action prints,
 * where Go's text/template prints `<no value>` for nil instead of fmt's `<nil>`.
 */
export function formatValue(value: unknown, nested = true): string {
  if (value === null || value === undefined) return nested ? '<nil>' : '<no value>';
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      return formatFloat(value);
    case 'function':
      return '0x1';
    default:
      break;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ' ';
      out += formatValue(value[i]);
    }
    return out + ']';
  }
  if (value instanceof Uint8Array) return `[${Array.from(value).join(' ')}]`;
  if (value instanceof GoTime) return value.toString();
  const map = value as GoMap;
  let out = 'map[';
  let first = true;
  for (const key of sortedKeys(map)) {
    if (!first) out += ' ';
    first = false;
    out += `${key}:${formatValue(map[key])}`;
  }
  return out + ']';
}

/** Converts JS numbers that hold integers coming from host code into Go's view: data numbers stay float64. */
export function toGoInt(value: number): bigint {
  return BigInt(Math.trunc(value));
}
