/** sprig's date functions (sprig v3 date.go) over GoTime (time.ts). */
import type { TemplateFunc } from './exec.js';
import { formatDuration, GoTime, loadLocation, localLocation, parseDuration, parseTime, roundDuration, UTC } from './time.js';

const NS_PER_SECOND = 1_000_000_000n;

/** sprig's `date` argument: a time.Time or Go int seconds; anything else (a float64 from data, a string) is now. */
function toTime(value: unknown): GoTime {
  if (value instanceof GoTime) return value;
  if (typeof value === 'bigint') return GoTime.unix(value);
  return GoTime.now();
}

function requireTime(value: unknown, fn: string): GoTime {
  if (value instanceof GoTime) return value;
  throw new Error(`wrong type for value; expected time.Time; got ${value === null || value === undefined ? '<nil>' : typeof value === 'string' ? 'string' : typeof value === 'bigint' ? 'int' : typeof value === 'number' ? 'float64' : 'interface {}'} (calling ${fn})`);
}

type Str = (value: unknown) => string;
let str: Str = (value) => (typeof value === 'string' ? value : '');

function dateInZone(layout: unknown, date: unknown, zone: unknown): string {
  const loc = loadLocation(str(zone)) ?? UTC;
  return toTime(date).in(loc).format(str(layout));
}

function dateModify(spec: unknown, date: unknown): GoTime {
  const t = requireTime(date, 'dateModify');
  try {
    return t.add(parseDuration(str(spec)));
  } catch {
    return t;
  }
}

function mustDateModify(spec: unknown, date: unknown): GoTime {
  return requireTime(date, 'mustDateModify').add(parseDuration(str(spec)));
}

/** Go's strconv.ParseInt(s, 10, 64), 0 on failure. */
function parseInt10(text: string): bigint {
  if (!/^[+-]?\d{1,19}$/.test(text)) return 0n;
  const n = BigInt(text);
  return n > 9223372036854775807n || n < -9223372036854775808n ? 0n : n;
}

function durationRound(value: unknown): string {
  let d: bigint;
  if (typeof value === 'string') {
    try {
      d = parseDuration(value);
    } catch {
      d = 0n;
    }
  } else if (typeof value === 'bigint') d = value;
  else if (value instanceof GoTime) d = GoTime.now().ns - value.ns;
  else d = 0n;
  const u = d < 0n ? -d : d;
  const hour = 3600n * NS_PER_SECOND;
  const steps: [bigint, string][] = [
    [hour * 24n * 365n, 'y'],
    [hour * 24n * 30n, 'mo'],
    [hour * 24n, 'd'],
    [hour, 'h'],
    [60n * NS_PER_SECOND, 'm'],
    [NS_PER_SECOND, 's'],
  ];
  for (const [size, unit] of steps) if (u > size) return `${u / size}${unit}`;
  return '0s';
}

export function sprigTimeFuncs(toStr: Str): Record<string, TemplateFunc> {
  str = toStr;
  return {
    now: () => GoTime.now(),
    date: (layout: unknown, date: unknown) => dateInZone(layout, date, 'Local'),
    dateInZone,
    date_in_zone: dateInZone,
    htmlDate: (date: unknown) => dateInZone('2006-01-02', date, 'Local'),
    htmlDateInZone: (date: unknown, zone: unknown) => dateInZone('2006-01-02', date, zone),
    dateModify,
    date_modify: dateModify,
    mustDateModify,
    must_date_modify: mustDateModify,
    ago: (date: unknown) => {
      const t = date instanceof GoTime ? date : typeof date === 'bigint' ? GoTime.unix(date) : GoTime.now();
      return formatDuration(roundDuration(GoTime.now().ns - t.ns, NS_PER_SECOND));
    },
    duration: (sec: unknown) => {
      const n = typeof sec === 'string' ? parseInt10(sec) : typeof sec === 'bigint' ? sec : 0n;
      return formatDuration(n * NS_PER_SECOND);
    },
    durationRound,
    toDate: (layout: unknown, value: unknown) => {
      try {
        return parseTime(str(layout), str(value), localLocation());
      } catch {
        // Go returns the zero time.Time
        return new GoTime(-62135596800n * NS_PER_SECOND, UTC);
      }
    },
    mustToDate: (layout: unknown, value: unknown) => parseTime(str(layout), str(value), localLocation()),
    unixEpoch: (date: unknown) => requireTime(date, 'unixEpoch').unixSeconds().toString(),
  };
}
