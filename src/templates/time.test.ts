import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { renderTemplate } from './index.js';
import { durationCases, formatCases, parseCases } from './testdata/time-cases.js';
import { formatDuration, GoTime, loadLocation, parseTime, UTC } from './time.js';

const pinned = JSON.parse(readFileSync(new URL('./testdata/time-expected.json', import.meta.url), 'utf8')) as {
  goVersion: string;
  format: Record<string, string>;
  parse: Record<string, { time: string; string: string } | { error: string }>;
  durations: Record<string, string>;
};

describe(`Go time layouts format as Go's time package does (pinned from ${pinned.goVersion})`, () => {
  for (const c of formatCases) {
    test(c.name, () => {
      const t = new GoTime(BigInt(c.unix) * 1_000_000_000n + BigInt(c.nanos), loadLocation(c.zone)!);
      assert.equal(t.format(c.layout), pinned.format[c.name]);
    });
  }
});

describe('Go time layouts parse as time.ParseInLocation(layout, value, time.UTC) does', () => {
  for (const c of parseCases) {
    test(c.name, () => {
      const expected = pinned.parse[c.name]!;
      let actual: { time: string; string: string } | { error: string };
      try {
        const t = parseTime(c.layout, c.value, UTC);
        actual = { time: t.in(UTC).format('2006-01-02T15:04:05.999999999Z07:00'), string: t.toString() };
      } catch (error) {
        actual = { error: (error as Error).message };
      }
      assert.deepEqual(actual, expected);
    });
  }
});

test("durations print as Go's Duration.String", () => {
  for (const d of durationCases) assert.equal(formatDuration(BigInt(d)), pinned.durations[String(d)], String(d));
});

test('date functions in templates: toDate, dateInZone, dateModify, unixEpoch', () => {
  assert.equal(
    renderTemplate('{{ $t := toDate "2006-01-02T15:04:05Z07:00" "2024-02-29T23:30:00+01:00" }}{{ dateInZone "Mon 2006-01-02 15:04 MST" $t "Asia/Kolkata" }} {{ $t | dateModify "1h30m" | unixEpoch }} {{ $t | date_modify "bad" | unixEpoch }}', {}),
    'Fri 2024-03-01 04:00 IST 1709251200 1709245800',
  );
  assert.throws(() => renderTemplate('{{ mustToDate "2006-01-02" "nope" }}', {}), /parsing time "nope" as "2006-01-02": cannot parse "nope" as "2006"/);
  assert.equal(renderTemplate('{{ toDate "2006-01-02" "nope" }}', {}), '0001-01-01 00:00:00 +0000 UTC');
  assert.match(renderTemplate('{{ now | date "2006-01-02T15:04:05Z07:00" }}', {}), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  assert.equal(renderTemplate('{{ typeOf now }} {{ kindOf now }}', {}), 'time.Time struct');
});
