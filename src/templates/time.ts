/**
 * Go's time.Time for templates: sprig's date functions (`now`, `date`, `toDate`, `dateModify`, `duration`, ...)
 * need Go's reference-time layouts ("2006-01-02T15:04:05Z07:00") formatted and parsed exactly as Go's time
 * package does, and Go's Duration text. No npm date library speaks Go layouts (they use strftime or Unicode
 * tokens), so the layout scanner below follows Go's nextStdChunk (src/time/format.go) chunk for chunk.
 *
 * Zones: IANA names resolve through Intl (offsets); `Local` is the process's zone. Zone abbreviations (`MST`) come
 * from the system's TZif files, as Go's LoadLocation reads them; without a zone database Intl's en-US names are used
 * and, where Intl has none (`GMT+1`), Go's numeric form (`+01`).
 */
import { readFileSync } from 'node:fs';

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

/** A time zone: a fixed offset (`UTC`, a parsed `-0700`) or an IANA zone (`Local` is the process's zone). */
export type GoLocation = { kind: 'fixed'; name: string; offset: number } | { kind: 'iana'; name: string; tz: string };

export const UTC: GoLocation = { kind: 'fixed', name: 'UTC', offset: 0 };

export function localLocation(): GoLocation {
  const tz = process.env.TZ !== undefined && process.env.TZ !== '' ? process.env.TZ : Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (tz === 'UTC' || tz === 'Etc/UTC') return { kind: 'fixed', name: 'UTC', offset: 0 };
  return { kind: 'iana', name: 'Local', tz };
}

/** time.LoadLocation: "" and "UTC" are UTC, "Local" the process zone, otherwise an IANA name (undefined when unknown). */
export function loadLocation(name: string): GoLocation | undefined {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return localLocation();
  // IANA names only: letters, digits, '/', '_', '-', '+'; no path tricks
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name) || name.includes('..')) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return undefined;
  }
  return { kind: 'iana', name, tz: name };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
    if (formatters.size > 200) formatters.clear(); // zone names come from templates: bounded
    formatters.set(tz, f);
  }
  return f;
}

const zoneinfoDirs = ['/usr/share/zoneinfo', '/usr/lib/zoneinfo', '/usr/share/lib/zoneinfo'];
const abbrCache = new Map<string, Map<number, string>>();

/** TZif footer (POSIX TZ string): `EST5EDT,M3.2.0,M11.1.0`, `<+0530>-5:30`, `GMT0BST,...`. */
function footerAbbrs(footer: string, into: Map<number, string>): void {
  const name = String.raw`(<[^>]+>|[A-Za-z]{3,})`;
  const offset = String.raw`([+-]?\d{1,2}(?::\d{1,2}(?::\d{1,2})?)?)`;
  const m = new RegExp(`^${name}${offset}(?:${name}${offset}?)?`).exec(footer);
  if (m === null) return;
  const seconds = (text: string): number => {
    const sign = text.startsWith('-') ? -1 : 1;
    const [h = 0, mi = 0, se = 0] = text.replace(/^[+-]/, '').split(':').map(Number);
    return sign * (h * 3600 + mi * 60 + se);
  };
  const clean = (n: string): string => n.replace(/^<|>$/g, '');
  const std = -seconds(m[2]!);
  into.set(std, clean(m[1]!));
  if (m[3] !== undefined) into.set(m[4] !== undefined ? -seconds(m[4]) : std + 3600, clean(m[3]));
}

/**
 * offset → abbreviation of an IANA zone, read from the system's TZif file as Go's LoadLocation reads it (the
 * latest use of each offset wins, the footer rule above all). Empty when the zone database is not installed.
 */
function zoneAbbrs(tz: string): Map<number, string> {
  let abbrs = abbrCache.get(tz);
  if (abbrs !== undefined) return abbrs;
  abbrs = new Map();
  for (const dir of zoneinfoDirs) {
    let data: Buffer;
    try {
      data = readFileSync(`${dir}/${tz}`);
    } catch {
      continue;
    }
    try {
      if (data.toString('latin1', 0, 4) !== 'TZif') break;
      const version = data[4]!;
      const counts = (at: number): number[] => [0, 1, 2, 3, 4, 5].map((i) => data.readUInt32BE(at + 20 + i * 4));
      let at = 0;
      let [isutc, isstd, leap, timecnt, typecnt, charcnt] = counts(0) as [number, number, number, number, number, number];
      let timeSize = 4;
      if (version >= 0x32) {
        at = 44 + timecnt * 4 + timecnt + typecnt * 6 + charcnt + leap * 8 + isstd + isutc;
        [isutc, isstd, leap, timecnt, typecnt, charcnt] = counts(at) as [number, number, number, number, number, number];
        timeSize = 8;
      }
      const body = at + 44;
      const idx = body + timecnt * timeSize;
      const types = idx + timecnt;
      const chars = types + typecnt * 6;
      const abbrOf = (type: number): [number, string] => {
        const utoff = data.readInt32BE(types + type * 6);
        const start = chars + data[types + type * 6 + 5]!;
        const end = data.indexOf(0, start);
        return [utoff, data.toString('latin1', start, end)];
      };
      for (let t = typecnt - 1; t >= 0; t--) {
        const [utoff, abbr] = abbrOf(t);
        if (!abbrs.has(utoff)) abbrs.set(utoff, abbr);
      }
      for (let i = 0; i < timecnt; i++) {
        const [utoff, abbr] = abbrOf(data[idx + i]!);
        abbrs.set(utoff, abbr);
      }
      if (version >= 0x32) {
        const footerStart = chars + charcnt + leap * 12 + isstd + isutc;
        const footer = data.toString('latin1', footerStart).split('\n')[1] ?? '';
        footerAbbrs(footer, abbrs);
      }
    } catch {
      abbrs.clear();
    }
    break;
  }
  if (abbrCache.size > 200) abbrCache.clear();
  abbrCache.set(tz, abbrs);
  return abbrs;
}

/** Offset (seconds east of UTC) and abbreviation of `loc` at the instant `ms`. */
export function zoneAt(loc: GoLocation, ms: number): { offset: number; abbr: string } {
  if (loc.kind === 'fixed') return { offset: loc.offset, abbr: loc.name };
  const parts: Record<string, string> = {};
  for (const p of zoneFormatter(loc.tz).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const year = Number(parts.year);
  const wall = utcMs(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const utc = new Date(ms);
  utc.setUTCMilliseconds(0);
  const offset = Math.round((wall - utc.getTime()) / 1000);
  let abbr = zoneAbbrs(loc.tz).get(offset) ?? parts.timeZoneName ?? '';
  if (/^GMT[+-]/.test(abbr) || abbr === '') abbr = numericAbbr(offset);
  return { offset, abbr };
}

/** Go's tzdata style name for zones without a letter abbreviation: "+03", "-0330". */
function numericAbbr(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = pad2(Math.floor(abs / 3600));
  const m = Math.floor((abs % 3600) / 60);
  return sign + h + (m === 0 ? '' : pad2(m));
}

/** Date.UTC without its mapping of years 0-99 to 1900-1999 (Go's zero time is year 1). */
function utcMs(year: number, month: number, day = 1, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function padN(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

/** A Go time.Time: an instant (nanoseconds since the Unix epoch) in a location. */
export class GoTime {
  constructor(
    readonly ns: bigint,
    readonly loc: GoLocation,
  ) {}

  static now(): GoTime {
    const ms = Date.now();
    const sub = BigInt(Math.floor((performance.now() % 1) * 1e6)); // sub-millisecond digits, as Go's clock has
    return new GoTime(BigInt(ms) * NS_PER_MS + sub, localLocation());
  }

  static unix(seconds: bigint, loc: GoLocation = localLocation()): GoTime {
    return new GoTime(seconds * NS_PER_SECOND, loc);
  }

  unixSeconds(): bigint {
    // Go's Unix() floors towards -inf for negative instants
    const q = this.ns / NS_PER_SECOND;
    return this.ns < 0n && q * NS_PER_SECOND !== this.ns ? q - 1n : q;
  }

  in(loc: GoLocation): GoTime {
    return new GoTime(this.ns, loc);
  }

  add(durationNs: bigint): GoTime {
    return new GoTime(this.ns + durationNs, this.loc);
  }

  format(layout: string): string {
    return formatTime(this, layout);
  }

  /** time.Time.String (without the monotonic clock reading Go appends to time.Now()). */
  toString(): string {
    return formatTime(this, '2006-01-02 15:04:05.999999999 -0700 MST');
  }

  /** encoding/json: RFC 3339 with nanoseconds. */
  toJSON(): string {
    return formatTime(this, '2006-01-02T15:04:05.999999999Z07:00');
  }

  /** %#v: Go prints the struct; a readable equivalent. */
  goString(): string {
    return `time.Date(${formatTime(this, '2006, time.January, 2, 15, 4, 5, 0')}, ${JSON.stringify(this.loc.name)})`.replace(/time\.January/, () => `time.${formatTime(this, 'January')}`);
  }
}

// ---------------------------------------------------------------- layout chunks (Go's nextStdChunk)

type Std =
  | 'longMonth'
  | 'month'
  | 'numMonth'
  | 'zeroMonth'
  | 'longWeekDay'
  | 'weekDay'
  | 'day'
  | 'underDay'
  | 'zeroDay'
  | 'underYearDay'
  | 'zeroYearDay'
  | 'hour'
  | 'hour12'
  | 'zeroHour12'
  | 'minute'
  | 'zeroMinute'
  | 'second'
  | 'zeroSecond'
  | 'longYear'
  | 'year'
  | 'PM'
  | 'pm'
  | 'tz'
  | 'ISO8601TZ'
  | 'ISO8601SecondsTZ'
  | 'ISO8601ShortTZ'
  | 'ISO8601ColonTZ'
  | 'ISO8601ColonSecondsTZ'
  | 'numTZ'
  | 'numSecondsTz'
  | 'numShortTZ'
  | 'numColonTZ'
  | 'numColonSecondsTZ'
  | 'frac0'
  | 'frac9';

interface Chunk {
  prefix: string;
  std: Std | undefined;
  /** fractional seconds: digits and separator */
  digits?: number;
  sep?: string;
  suffix: string;
  /** the layout text of the std chunk, for parse errors */
  text: string;
}

const std0x: Std[] = ['zeroMonth', 'zeroDay', 'zeroHour12', 'zeroMinute', 'zeroSecond', 'year'];
const isLower = (s: string, i: number): boolean => i < s.length && s[i]! >= 'a' && s[i]! <= 'z';
const isDigitAt = (s: string, i: number): boolean => i < s.length && s[i]! >= '0' && s[i]! <= '9';

function chunk(layout: string, i: number, std: Std, len: number, extra?: Partial<Chunk>): Chunk {
  return { prefix: layout.slice(0, i), std, suffix: layout.slice(i + len), text: layout.slice(i, i + len), ...extra };
}

export function nextStdChunk(layout: string): Chunk {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i]!;
    const at = (s: string): boolean => layout.startsWith(s, i);
    switch (c) {
      case 'J':
        if (at('Jan')) {
          if (at('January')) return chunk(layout, i, 'longMonth', 7);
          if (!isLower(layout, i + 3)) return chunk(layout, i, 'month', 3);
        }
        break;
      case 'M':
        if (at('Mon')) {
          if (at('Monday')) return chunk(layout, i, 'longWeekDay', 6);
          if (!isLower(layout, i + 3)) return chunk(layout, i, 'weekDay', 3);
        }
        if (at('MST')) return chunk(layout, i, 'tz', 3);
        break;
      case '0':
        if (i + 1 < layout.length && layout[i + 1]! >= '1' && layout[i + 1]! <= '6') return chunk(layout, i, std0x[layout.charCodeAt(i + 1) - 49]!, 2);
        if (at('002')) return chunk(layout, i, 'zeroYearDay', 3);
        break;
      case '1':
        if (at('15')) return chunk(layout, i, 'hour', 2);
        return chunk(layout, i, 'numMonth', 1);
      case '2':
        if (at('2006')) return chunk(layout, i, 'longYear', 4);
        return chunk(layout, i, 'day', 1);
      case '_':
        if (at('_2')) {
          if (at('_2006')) return { prefix: layout.slice(0, i + 1), std: 'longYear', suffix: layout.slice(i + 5), text: '2006' };
          return chunk(layout, i, 'underDay', 2);
        }
        if (at('__2')) return chunk(layout, i, 'underYearDay', 3);
        break;
      case '3':
        return chunk(layout, i, 'hour12', 1);
      case '4':
        return chunk(layout, i, 'minute', 1);
      case '5':
        return chunk(layout, i, 'second', 1);
      case 'P':
        if (at('PM')) return chunk(layout, i, 'PM', 2);
        break;
      case 'p':
        if (at('pm')) return chunk(layout, i, 'pm', 2);
        break;
      case '-':
        if (at('-070000')) return chunk(layout, i, 'numSecondsTz', 7);
        if (at('-07:00:00')) return chunk(layout, i, 'numColonSecondsTZ', 9);
        if (at('-0700')) return chunk(layout, i, 'numTZ', 5);
        if (at('-07:00')) return chunk(layout, i, 'numColonTZ', 6);
        if (at('-07')) return chunk(layout, i, 'numShortTZ', 3);
        break;
      case 'Z':
        if (at('Z070000')) return chunk(layout, i, 'ISO8601SecondsTZ', 7);
        if (at('Z07:00:00')) return chunk(layout, i, 'ISO8601ColonSecondsTZ', 9);
        if (at('Z0700')) return chunk(layout, i, 'ISO8601TZ', 5);
        if (at('Z07:00')) return chunk(layout, i, 'ISO8601ColonTZ', 6);
        if (at('Z07')) return chunk(layout, i, 'ISO8601ShortTZ', 3);
        break;
      case '.':
      case ',':
        if (i + 1 < layout.length && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
          const ch = layout[i + 1]!;
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) return chunk(layout, i, ch === '0' ? 'frac0' : 'frac9', j - i, { digits: j - (i + 1), sep: c });
        }
        break;
      default:
        break;
    }
  }
  return { prefix: layout, std: undefined, suffix: '', text: '' };
}

// ---------------------------------------------------------------- calendar

const longMonths = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const longDays = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Fields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1-366
  offset: number;
  abbr: string;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && a < 0n !== b < 0n) ? q - 1n : q;
}

function fields(t: GoTime): Fields {
  const secs = floorDiv(t.ns, NS_PER_SECOND);
  const nanosecond = Number(t.ns - secs * NS_PER_SECOND);
  const ms = Number(secs) * 1000;
  const { offset, abbr } = zoneAt(t.loc, ms);
  const wall = new Date(ms + offset * 1000);
  const year = wall.getUTCFullYear();
  const yday = Math.floor((utcMs(year, wall.getUTCMonth(), wall.getUTCDate()) - utcMs(year, 0, 1)) / 86_400_000) + 1;
  return {
    year,
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    nanosecond,
    weekday: wall.getUTCDay(),
    yday,
    offset,
    abbr,
  };
}

function formatOffset(offset: number, std: Std): string {
  const iso = std.startsWith('ISO8601');
  if (iso && offset === 0) return 'Z';
  let zone = Math.trunc(offset / 60); // minutes
  let absoff = offset;
  let out = '';
  if (zone < 0) {
    out += '-';
    zone = -zone;
    absoff = -absoff;
  } else {
    out += '+';
  }
  out += pad2(Math.floor(zone / 60));
  const colon = std === 'ISO8601ColonTZ' || std === 'numColonTZ' || std === 'ISO8601ColonSecondsTZ' || std === 'numColonSecondsTZ';
  if (colon) out += ':';
  if (std !== 'numShortTZ' && std !== 'ISO8601ShortTZ') out += pad2(zone % 60);
  if (std === 'ISO8601SecondsTZ' || std === 'numSecondsTz' || std === 'numColonSecondsTZ' || std === 'ISO8601ColonSecondsTZ') {
    if (colon) out += ':';
    out += pad2(absoff % 60);
  }
  return out;
}

/** time.Time.Format. */
export function formatTime(t: GoTime, layout: string): string {
  const f = fields(t);
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const c = nextStdChunk(rest);
    out += c.prefix;
    if (c.std === undefined) break;
    rest = c.suffix;
    switch (c.std) {
      case 'year':
        out += pad2(Math.abs(f.year) % 100);
        break;
      case 'longYear':
        out += padN(f.year, 4);
        break;
      case 'month':
        out += longMonths[f.month - 1]!.slice(0, 3);
        break;
      case 'longMonth':
        out += longMonths[f.month - 1]!;
        break;
      case 'numMonth':
        out += String(f.month);
        break;
      case 'zeroMonth':
        out += pad2(f.month);
        break;
      case 'weekDay':
        out += longDays[f.weekday]!.slice(0, 3);
        break;
      case 'longWeekDay':
        out += longDays[f.weekday]!;
        break;
      case 'day':
        out += String(f.day);
        break;
      case 'underDay':
        out += f.day < 10 ? ' ' + f.day : String(f.day);
        break;
      case 'zeroDay':
        out += pad2(f.day);
        break;
      case 'underYearDay':
        out += String(f.yday).padStart(3, ' ');
        break;
      case 'zeroYearDay':
        out += String(f.yday).padStart(3, '0');
        break;
      case 'hour':
        out += pad2(f.hour);
        break;
      case 'hour12':
        out += String(f.hour % 12 === 0 ? 12 : f.hour % 12);
        break;
      case 'zeroHour12':
        out += pad2(f.hour % 12 === 0 ? 12 : f.hour % 12);
        break;
      case 'minute':
        out += String(f.minute);
        break;
      case 'zeroMinute':
        out += pad2(f.minute);
        break;
      case 'second':
        out += String(f.second);
        break;
      case 'zeroSecond':
        out += pad2(f.second);
        break;
      case 'PM':
        out += f.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += f.hour >= 12 ? 'pm' : 'am';
        break;
      case 'tz':
        if (f.abbr !== '') out += f.abbr;
        else out += formatOffset(f.offset, 'numTZ');
        break;
      case 'frac0':
      case 'frac9': {
        const digits = String(f.nanosecond).padStart(9, '0').slice(0, c.digits);
        if (c.std === 'frac0') out += c.sep! + digits;
        else {
          const trimmed = digits.replace(/0+$/, '');
          if (trimmed !== '') out += c.sep! + trimmed;
        }
        break;
      }
      default:
        out += formatOffset(f.offset, c.std);
    }
  }
  return out;
}

// ---------------------------------------------------------------- parsing (time.ParseInLocation)

export class TimeParseError extends Error {}

function quoteLayout(s: string): string {
  return JSON.stringify(s);
}

/** Wall-clock fields in `loc` → the instant, resolving the zone offset as Go's Date does. */
function wallToTime(y: number, mo: number, d: number, h: number, mi: number, s: number, ns: number, loc: GoLocation): GoTime {
  const wallMs = utcMs(y, mo - 1, d, h, mi, s);
  let guess = wallMs - zoneAt(loc, wallMs).offset * 1000;
  guess = wallMs - zoneAt(loc, guess).offset * 1000;
  return new GoTime(BigInt(guess) * NS_PER_MS + BigInt(ns), loc);
}

function lookupName(names: string[], value: string, len?: number): [number, string] | undefined {
  for (let i = 0; i < names.length; i++) {
    const name = len === undefined ? names[i]! : names[i]!.slice(0, len);
    if (value.length >= name.length && value.slice(0, name.length).toLowerCase() === name.toLowerCase()) return [i, value.slice(name.length)];
  }
  return undefined;
}

function getNum(value: string, fixed: boolean): [number, string] | undefined {
  if (!isDigitAt(value, 0)) return undefined;
  if (!isDigitAt(value, 1)) {
    if (fixed) return undefined;
    return [value.charCodeAt(0) - 48, value.slice(1)];
  }
  return [(value.charCodeAt(0) - 48) * 10 + (value.charCodeAt(1) - 48), value.slice(2)];
}

/** time.ParseInLocation for the layouts above; errors read like Go's. */
export function parseTime(layout: string, value: string, defaultLoc: GoLocation): GoTime {
  const alayout = layout;
  const avalue = value;
  let year = 1;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let zoneOffset: number | undefined;
  let zoneName = '';
  let rest = layout;
  const fail = (elem: string, val: string, msg = ''): never => {
    throw new TimeParseError(
      msg !== '' ? `parsing time ${quoteLayout(avalue)}${msg}` : `parsing time ${quoteLayout(avalue)} as ${quoteLayout(alayout)}: cannot parse ${quoteLayout(val)} as ${quoteLayout(elem)}`,
    );
  };
  const range = (elem: string): never => fail(elem, '', `: ${elem} out of range`);
  for (;;) {
    const c = nextStdChunk(rest);
    const stdstr = c.text;
    // the literal prefix must match, Go skips matching leading spaces
    let prefix = c.prefix;
    let v = value;
    while (prefix.length > 0 && v.length > 0 && prefix[0] === ' ' && v[0] === ' ') {
      prefix = prefix.replace(/^ +/, '');
      v = v.replace(/^ +/, '');
    }
    if (!v.startsWith(prefix)) fail(c.prefix, value);
    value = v.slice(prefix.length);
    if (c.std === undefined) {
      if (value.length !== 0) fail('', value, `: extra text: ${quoteLayout(value)}`);
      break;
    }
    rest = c.suffix;
    const hold = value;
    let r: [number, string] | undefined;
    switch (c.std) {
      case 'year': {
        if (value.length < 2 || !isDigitAt(value, 0) || !isDigitAt(value, 1)) fail(stdstr, hold);
        const y = Number(value.slice(0, 2));
        year = y >= 69 ? y + 1900 : y + 2000;
        value = value.slice(2);
        break;
      }
      case 'longYear':
        if (value.length < 4 || !/^\d{4}/.test(value)) fail(stdstr, hold);
        year = Number(value.slice(0, 4));
        value = value.slice(4);
        break;
      case 'month':
      case 'longMonth':
        r = lookupName(longMonths, value, c.std === 'month' ? 3 : undefined);
        if (r === undefined) fail(stdstr, hold);
        month = r![0] + 1;
        value = r![1];
        break;
      case 'numMonth':
      case 'zeroMonth':
        r = getNum(value, c.std === 'zeroMonth');
        if (r === undefined) fail(stdstr, hold);
        if (r![0] <= 0 || r![0] > 12) range('month');
        [month, value] = r!;
        break;
      case 'weekDay':
      case 'longWeekDay':
        r = lookupName(longDays, value, c.std === 'weekDay' ? 3 : undefined);
        if (r === undefined) fail(stdstr, hold);
        value = r![1];
        break;
      case 'day':
      case 'underDay':
      case 'zeroDay':
        if (c.std === 'underDay' && value[0] === ' ') value = value.slice(1);
        r = getNum(value, c.std === 'zeroDay');
        if (r === undefined) fail(stdstr, hold);
        [day, value] = r!;
        break;
      case 'underYearDay':
      case 'zeroYearDay': {
        let v2 = value;
        if (c.std === 'underYearDay') v2 = v2.replace(/^ {1,2}/, '');
        const m = /^\d{1,3}/.exec(v2);
        if (m === null || (c.std === 'zeroYearDay' && m[0].length !== 3)) fail(stdstr, hold);
        yday = Number(m![0]);
        value = v2.slice(m![0].length);
        break;
      }
      case 'hour':
        r = getNum(value, false);
        if (r === undefined) fail(stdstr, hold);
        if (r![0] < 0 || r![0] >= 24) range('hour');
        [hour, value] = r!;
        break;
      case 'hour12':
      case 'zeroHour12':
        r = getNum(value, c.std === 'zeroHour12');
        if (r === undefined) fail(stdstr, hold);
        if (r![0] < 0 || r![0] > 12) range('hour');
        [hour, value] = r!;
        break;
      case 'minute':
      case 'zeroMinute':
        r = getNum(value, c.std === 'zeroMinute');
        if (r === undefined) fail(stdstr, hold);
        if (r![0] < 0 || r![0] >= 60) range('minute');
        [min, value] = r!;
        break;
      case 'second':
      case 'zeroSecond': {
        r = getNum(value, c.std === 'zeroSecond');
        if (r === undefined) fail(stdstr, hold);
        if (r![0] < 0 || r![0] >= 60) range('second');
        [sec, value] = r!;
        // a fractional second in the value that the layout does not have is accepted
        const next = nextStdChunk(rest);
        if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1) && next.std !== 'frac0' && next.std !== 'frac9') {
          const m = /^[.,](\d+)/.exec(value)!;
          nsec = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
          value = value.slice(m[0].length);
        }
        break;
      }
      case 'PM':
      case 'pm': {
        const p = value.slice(0, 2);
        const want = c.std === 'PM' ? ['PM', 'AM'] : ['pm', 'am'];
        if (p === want[0]) pmSet = true;
        else if (p === want[1]) amSet = true;
        else fail(stdstr, hold);
        value = value.slice(2);
        break;
      }
      case 'ISO8601TZ':
      case 'ISO8601ColonTZ':
      case 'ISO8601SecondsTZ':
      case 'ISO8601ShortTZ':
      case 'ISO8601ColonSecondsTZ':
      case 'numTZ':
      case 'numShortTZ':
      case 'numColonTZ':
      case 'numSecondsTz':
      case 'numColonSecondsTZ': {
        if (c.std.startsWith('ISO8601') && value[0] === 'Z') {
          value = value.slice(1);
          zoneOffset = 0;
          zoneName = 'UTC';
          break;
        }
        const patterns: Record<string, RegExp> = {
          ISO8601TZ: /^([+-])(\d\d)(\d\d)/,
          numTZ: /^([+-])(\d\d)(\d\d)/,
          ISO8601ColonTZ: /^([+-])(\d\d):(\d\d)/,
          numColonTZ: /^([+-])(\d\d):(\d\d)/,
          ISO8601ShortTZ: /^([+-])(\d\d)/,
          numShortTZ: /^([+-])(\d\d)/,
          ISO8601SecondsTZ: /^([+-])(\d\d)(\d\d)(\d\d)/,
          numSecondsTz: /^([+-])(\d\d)(\d\d)(\d\d)/,
          ISO8601ColonSecondsTZ: /^([+-])(\d\d):(\d\d):(\d\d)/,
          numColonSecondsTZ: /^([+-])(\d\d):(\d\d):(\d\d)/,
        };
        const m = patterns[c.std]!.exec(value);
        if (m === null) fail(stdstr, hold);
        const off = (Number(m![2]) * 60 + Number(m![3] ?? 0)) * 60 + Number(m![4] ?? 0);
        zoneOffset = m![1] === '-' ? -off : off;
        value = value.slice(m![0].length);
        break;
      }
      case 'tz': {
        if (value.startsWith('UTC')) {
          zoneName = 'UTC';
          value = value.slice(3);
          break;
        }
        const m = /^(GMT[+-]\d{1,2}|[A-Z]{3,5}T?|[A-Z]{3})/.exec(value);
        if (m === null) fail('MST', hold);
        zoneName = m![0];
        value = value.slice(zoneName.length);
        break;
      }
      case 'frac0': {
        const ndigit = 1 + c.digits!;
        if (value.length < ndigit || (value[0] !== '.' && value[0] !== ',') || !/^\d+$/.test(value.slice(1, ndigit))) fail(stdstr, hold);
        nsec = Number(value.slice(1, ndigit).slice(0, 9).padEnd(9, '0'));
        value = value.slice(ndigit);
        break;
      }
      case 'frac9': {
        if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigitAt(value, 1)) break;
        const m = /^[.,](\d{1,9})/.exec(value)!;
        nsec = Number(m[1]!.padEnd(9, '0'));
        value = value.slice(m[0].length);
        break;
      }
    }
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    const date = new Date(utcMs(year, 0, yday));
    if (month >= 0 && month !== date.getUTCMonth() + 1) range('day-of-year');
    month = date.getUTCMonth() + 1;
    day = date.getUTCDate();
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  const daysIn = new Date(utcMs(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysIn) range('day');

  if (zoneOffset !== undefined) {
    const t = new GoTime(BigInt(utcMs(year, month - 1, day, hour, min, sec) - zoneOffset * 1000) * NS_PER_MS + BigInt(nsec), UTC);
    if (zoneName === 'UTC' && zoneOffset === 0) return t.in(UTC);
    // Go keeps the default location when its offset agrees at that instant, else a fixed zone without a name
    const ms = Number(t.ns / NS_PER_MS);
    if (defaultLoc.kind === 'iana' || defaultLoc.offset !== 0 || zoneOffset === 0) {
      if (zoneAt(defaultLoc, ms).offset === zoneOffset) return t.in(defaultLoc);
    }
    return t.in({ kind: 'fixed', name: '', offset: zoneOffset });
  }
  if (zoneName !== '') {
    if (zoneName === 'UTC') return wallToTime(year, month, day, hour, min, sec, nsec, UTC);
    const probe = wallToTime(year, month, day, hour, min, sec, nsec, defaultLoc);
    const at = zoneAt(defaultLoc, Number(probe.ns / NS_PER_MS));
    if (at.abbr === zoneName) return probe;
    let offset = 0;
    const gmt = /^GMT([+-]\d{1,2})$/.exec(zoneName);
    if (gmt !== null) offset = Number(gmt[1]) * 3600;
    const loc: GoLocation = { kind: 'fixed', name: zoneName, offset };
    return wallToTime(year, month, day, hour, min, sec, nsec, loc);
  }
  return wallToTime(year, month, day, hour, min, sec, nsec, defaultLoc);
}

// ---------------------------------------------------------------- durations

const units: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: NS_PER_SECOND, m: 60n * NS_PER_SECOND, h: 3600n * NS_PER_SECOND };

/** time.ParseDuration: "300ms", "-1.5h", "2h45m". */
export function parseDuration(text: string): bigint {
  const orig = text;
  let s = text;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw new Error(`time: invalid duration ${JSON.stringify(orig)}`);
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    if (m[0] === '' || m[0] === '.') throw new Error(`time: invalid duration ${JSON.stringify(orig)}`);
    s = s.slice(m[0].length);
    const u = /^[^\d.]+/.exec(s);
    if (u === null) throw new Error(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const unit = units[u[0]];
    if (unit === undefined) throw new Error(`time: unknown unit ${JSON.stringify(u[0])} in duration ${JSON.stringify(orig)}`);
    s = s.slice(u[0].length);
    let value = BigInt(m[1] === '' ? '0' : m[1]!) * unit;
    if (m[2] !== undefined && m[2] !== '') {
      const frac = m[2].slice(0, 18);
      value += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    }
    total += value;
    if (total > 9223372036854775807n) throw new Error(`time: invalid duration ${JSON.stringify(orig)}`);
  }
  return neg ? -total : total;
}

/** time.Duration.String: "1h2m3.5s", "1.5ms", "0s". */
export function formatDuration(d: bigint): string {
  if (d === 0n) return '0s';
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < NS_PER_SECOND) {
    // sub-second: one unit, with a fraction
    let unit: string;
    let scale: bigint;
    if (u < 1000n) {
      unit = 'ns';
      scale = 1n;
    } else if (u < 1_000_000n) {
      unit = 'µs';
      scale = 1000n;
    } else {
      unit = 'ms';
      scale = 1_000_000n;
    }
    out = fractional(u, scale) + unit;
  } else {
    const h = u / (3600n * NS_PER_SECOND);
    u -= h * 3600n * NS_PER_SECOND;
    const m = u / (60n * NS_PER_SECOND);
    u -= m * 60n * NS_PER_SECOND;
    out = (h > 0n ? `${h}h${m}m` : m > 0n ? `${m}m` : '') + fractional(u, NS_PER_SECOND) + 's';
  }
  return neg ? '-' + out : out;
}

function fractional(value: bigint, scale: bigint): string {
  const whole = value / scale;
  const frac = value % scale;
  if (frac === 0n) return whole.toString();
  const digits = scale.toString().length - 1;
  return `${whole}.${frac.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Duration.Round(m): half away from zero. */
export function roundDuration(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  if (d < 0n) {
    r = -r;
    return r + r < m ? d + r : d + r - m;
  }
  return r + r < m ? d - r : d + m - r;
}
