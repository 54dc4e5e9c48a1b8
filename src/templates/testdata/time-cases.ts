/**
 * Go time layouts, formatted and parsed by Go's own time package (go-time/main.go) and pinned in
 * time-expected.json (regenerate with `node --import tsx src/templates/testdata/generate-time-expected.ts`; needs
 * a Go toolchain). time.test.ts compares time.ts with the pinned outcomes.
 */
const instants = [
  { name: 'summer', unix: 1560458379, nanos: 123456789 },
  { name: 'winter', unix: 1704067199, nanos: 5000000 },
  { name: 'early', unix: 86400 * 3 + 3600 * 13 + 7, nanos: 0 },
];
const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/London', 'Australia/Adelaide'];
const layouts = [
  '2006-01-02T15:04:05Z07:00',
  '2006-01-02T15:04:05.999999999Z07:00',
  '2006-01-02 15:04:05.999999999 -0700 MST',
  'Mon Jan _2 15:04:05 2006',
  'Monday, 02-Jan-06 15:04:05 MST',
  '02 Jan 06 15:04 -0700',
  'Jan 2, 2006 at 3:04pm (MST)',
  '3:04:05 PM',
  '2006-01-02',
  '02/01/2006',
  '.000 .999 ,000000 .9',
  '-07 -07:00 -0700 -07:00:00 -070000 Z07 Z07:00 Z0700',
  '__2 002 _2 2 1 01 January Jan',
  '06 2006 _2006 15 3 03 4 04 5 05 PM pm',
  'Janet Monique 1234 MSTx',
];

export const formatCases = instants.flatMap((instant) =>
  zones.flatMap((zone) => layouts.map((layout) => ({ name: `${instant.name} ${zone} ${layout}`, unix: instant.unix, nanos: instant.nanos, zone, layout }))),
);

export const parseCases = [
  { name: 'RFC 3339', layout: '2006-01-02T15:04:05Z07:00', value: '2019-06-13T20:39:39+02:00' },
  { name: 'RFC 3339 Z', layout: '2006-01-02T15:04:05Z07:00', value: '2019-06-13T20:39:39Z' },
  { name: 'RFC 3339 with fraction the layout lacks', layout: '2006-01-02T15:04:05Z07:00', value: '2019-06-13T20:39:39.25Z' },
  { name: 'nanoseconds', layout: '2006-01-02T15:04:05.999999999Z07:00', value: '2019-06-13T20:39:39.123456789-07:00' },
  { name: 'date only', layout: '2006-01-02', value: '2017-12-31' },
  { name: 'day first', layout: '02/01/2006', value: '31/12/2017' },
  { name: 'GMT abbreviation', layout: '02 Jan 06 15:04:05 MST', value: '13 Jun 19 20:39:39 GMT' },
  { name: 'UTC abbreviation', layout: '02 Jan 06 15:04:05 MST', value: '13 Jun 19 20:39:39 UTC' },
  { name: 'PM', layout: 'Jan 2, 2006 at 3:04pm', value: 'Feb 3, 2013 at 7:54pm' },
  { name: 'AM noon', layout: '3:04 PM 2006-01-02', value: '12:30 AM 2020-02-29' },
  { name: 'long names', layout: 'Monday, January 2, 2006', value: 'Thursday, June 13, 2019' },
  { name: 'two-digit year 69', layout: '06-01-02', value: '69-01-02' },
  { name: 'two-digit year 68', layout: '06-01-02', value: '68-01-02' },
  { name: 'error: bad month', layout: '2006-01-02', value: '2017-13-01' },
  { name: 'error: bad day', layout: '2006-01-02', value: '2017-02-30' },
  { name: 'error: text mismatch', layout: '2006-01-02', value: '2017/01/02' },
  { name: 'error: extra text', layout: '2006-01-02', value: '2017-01-02 junk' },
];

export const durationCases = [0, 1, 999, 1000, 1500, 1_000_000, 1_500_000, 1_000_000_000, 61_000_000_000, 3_600_000_000_000, 93_784_000_000_000, -5_000_000_000, 1_234_567_890_123];
