import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { DEFAULT_TEMPLATE_LIMITS, renderTemplate, TemplateError, TemplateLimitExceeded, type TemplateLimitName } from './index.js';

/**
 * Renders `source` and asserts it is stopped by `limit`, with the error naming it. No clock: the sizes below are
 * chosen so that a function that did not ask the budget before allocating could not build its result at all (a
 * list of 10^10 elements exhausts the heap, a string of 10^9 characters is over V8's string length limit and
 * throws a plain RangeError), so the test fails by itself when the check is missing, whatever the machine's load.
 */
function assertStopped(source: string, limit: TemplateLimitName, options: Parameters<typeof renderTemplate>[2] = {}): void {
  assert.throws(
    () => renderTemplate(source, {}, { name: 'bomb', ...options }),
    (error: unknown) => {
      assert.ok(error instanceof TemplateLimitExceeded, `expected a limit error, got ${String(error)}`);
      assert.ok(error instanceof InvalidInput);
      assert.equal(error.limit, limit);
      assert.match(error.message, /^template: bomb: render exceeded its (step budget|output limit|time limit)/);
      return true;
    },
  );
}

/** The default step and output limits with a time limit no loaded machine reaches first: the step or output limit must stop these renders. */
const UNTIMED = { limits: { ...DEFAULT_TEMPLATE_LIMITS, timeoutMs: 600_000 } };

test('a range over until 10000000000 stops at the step budget before allocating the list', () => {
  assertStopped('{{ range $i := until 10000000000 }}x{{ end }}', 'steps', UNTIMED);
  assertStopped('{{ range $i := untilStep 0 10000000000 1 }}x{{ end }}', 'steps', UNTIMED);
  assertStopped('{{ seq 10000000000 }}', 'steps', UNTIMED);
});

test('a 10k x 10k nested range stops at the step budget, even with empty bodies', () => {
  // with the time limit out of reach, a range that did not count its iterations would end without error (or at
  // the time limit after minutes), not at the step budget
  assertStopped('{{ range $i := until 10000 }}{{ range $j := until 10000 }}{{ end }}{{ end }}', 'steps', UNTIMED);
  assertStopped('{{ range 100000000 }}{{ end }}', 'steps', UNTIMED);
});

test('repeat, printf widths, indent and doubling strings stop at the output limit before allocating', () => {
  assertStopped('{{ repeat 1000000000 "x" }}', 'output');
  // Go refuses widths over 1e6 itself (%!(NOVERB)); a width under that still asks the output limit first
  assert.equal(renderTemplate('{{ printf "%200000000d" 1 }}', null), '%!(NOVERB)%!(EXTRA int=1)');
  assertStopped('{{ printf "%900000d" 1 }}', 'output', { limits: { ...DEFAULT_TEMPLATE_LIMITS, maxOutput: 500_000 } });
  assertStopped('{{ indent 1000000000 "x" }}', 'output');
  assertStopped('{{ randAlphaNum 1000000000 }}', 'output', UNTIMED);
  assertStopped('{{ $x := "xx" }}{{ range 40 }}{{ $x = printf "%s%s" $x $x }}{{ end }}', 'output');
  assertStopped('{{ range 10000 }}{{ "0123456789" }}{{ end }}', 'output', { limits: { ...DEFAULT_TEMPLATE_LIMITS, maxOutput: 50_000 } });
});

test('tpl renders inside the same budget', () => {
  assertStopped('{{ tpl "{{ repeat 1000000000 \\"x\\" }}" . }}', 'output');
  const limits = { maxSteps: 10_000, maxOutput: 1_000_000, timeoutMs: 60_000 };
  // the outer template alone stays within 10,000 steps; the steps of the tpl renders push it over
  assert.equal(renderTemplate('{{ range 2000 }}{{ "ab" }}{{ end }}', {}, { limits }).length, 4000);
  assertStopped('{{ range 2000 }}{{ tpl "{{ 1 }}{{ 2 }}{{ 3 }}" . }}{{ end }}', 'steps', { limits });
});

test('the time limit stops a render that stays within its step budget', () => {
  // each step sorts a growing list: few steps, much time (the whole render takes minutes). The error names the time
  // limit; ending within 20 s of a 50 ms limit shows the clock is read often enough, with room for a loaded machine.
  const source = '{{ $l := list }}{{ range $i := until 20000 }}{{ $l = append $l $i | sortAlpha }}{{ end }}';
  const started = performance.now();
  assertStopped(source, 'time', { limits: { maxSteps: 1e12, maxOutput: 1e9, timeoutMs: 50 } });
  assert.ok(performance.now() - started < 20_000, `stopped after ${Math.round(performance.now() - started)} ms`);
});

test('ordinary templates render within the default limits', () => {
  assert.equal(renderTemplate('{{ range $i := until 3 }}{{ $i }}{{ end }}-{{ repeat 3 "ab" }}', {}), '012-ababab');
  assert.throws(() => renderTemplate('{{ range 11 }}{{ end }}', {}, { limits: { maxSteps: 10, maxOutput: 100, timeoutMs: 1000 } }), TemplateError);
});

test('regex functions refuse patterns that could backtrack exponentially, naming the pattern', () => {
  // refused before it runs: run, it would backtrack 2^40 times and block the thread, so no clock could report it
  assert.throws(() => renderTemplate(`{{ regexMatch "^(a+)+$" "${'a'.repeat(40)}!" }}`, {}), /regular expression "\^\(a\+\)\+\$" is refused/);
  assert.equal(renderTemplate('{{ regexMatch "^[a-z]+(-[a-z]+)*$" "my-app" }}', {}), 'true');
});
