import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { DEFAULT_TEMPLATE_LIMITS, renderTemplate, TemplateError, TemplateLimitExceeded, type TemplateLimitName } from './index.js';

function assertStopped(source: string, limit: TemplateLimitName, options: Parameters<typeof renderTemplate>[2] = {}, withinMs = 1_000): void {
  const started = performance.now();
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
  const elapsed = performance.now() - started;
  assert.ok(elapsed < withinMs, `stopped after ${Math.round(elapsed)} ms`);
}

test('a range over until 100000000 stops at the step budget before allocating the list', () => {
  assertStopped('{{ range $i := until 100000000 }}x{{ end }}', 'steps');
  assertStopped('{{ range $i := untilStep 0 100000000 1 }}x{{ end }}', 'steps');
  assertStopped('{{ seq 100000000 }}', 'steps');
});

test('a 10k x 10k nested range stops at the step budget, even with empty bodies', () => {
  assertStopped('{{ range $i := until 10000 }}{{ range $j := until 10000 }}{{ end }}{{ end }}', 'steps');
  assertStopped('{{ range 100000000 }}{{ end }}', 'steps');
});

test('repeat, printf widths, indent and doubling strings stop at the output limit before allocating', () => {
  assertStopped('{{ repeat 200000000 "x" }}', 'output');
  // Go refuses widths over 1e6 itself (%!(NOVERB)); a width under that still asks the output limit first
  assert.equal(renderTemplate('{{ printf "%200000000d" 1 }}', null), '%!(NOVERB)%!(EXTRA int=1)');
  assertStopped('{{ printf "%900000d" 1 }}', 'output', { limits: { ...DEFAULT_TEMPLATE_LIMITS, maxOutput: 500_000 } });
  assertStopped('{{ indent 200000000 "x" }}', 'output');
  assertStopped('{{ randAlphaNum 200000000 }}', 'output');
  assertStopped('{{ $x := "xx" }}{{ range 40 }}{{ $x = printf "%s%s" $x $x }}{{ end }}', 'output');
  assertStopped('{{ range 10000 }}{{ "0123456789" }}{{ end }}', 'output', { limits: { ...DEFAULT_TEMPLATE_LIMITS, maxOutput: 50_000 } });
});

test('tpl renders inside the same budget', () => {
  assertStopped('{{ tpl "{{ repeat 200000000 \\"x\\" }}" . }}', 'output');
  const limits = { maxSteps: 10_000, maxOutput: 1_000_000, timeoutMs: 60_000 };
  // the outer template alone stays within 10,000 steps; the steps of the tpl renders push it over
  assert.equal(renderTemplate('{{ range 2000 }}{{ "ab" }}{{ end }}', {}, { limits }).length, 4000);
  assertStopped('{{ range 2000 }}{{ tpl "{{ 1 }}{{ 2 }}{{ 3 }}" . }}{{ end }}', 'steps', { limits }, 5_000);
});

test('the time limit stops a render that stays within its step budget', () => {
  // each step sorts a growing list: few steps, much time
  const source = '{{ $l := list }}{{ range $i := until 20000 }}{{ $l = append $l $i | sortAlpha }}{{ end }}';
  assertStopped(source, 'time', { limits: { maxSteps: 1e12, maxOutput: 1e9, timeoutMs: 50 } }, 2_000);
});

test('ordinary templates render within the default limits', () => {
  assert.equal(renderTemplate('{{ range $i := until 3 }}{{ $i }}{{ end }}-{{ repeat 3 "ab" }}', {}), '012-ababab');
  assert.throws(() => renderTemplate('{{ range 11 }}{{ end }}', {}, { limits: { maxSteps: 10, maxOutput: 100, timeoutMs: 1000 } }), TemplateError);
});

test('regex functions refuse patterns that could backtrack exponentially, naming the pattern', () => {
  const started = performance.now();
  assert.throws(() => renderTemplate(`{{ regexMatch "^(a+)+$" "${'a'.repeat(40)}!" }}`, {}), /regular expression "\^\(a\+\)\+\$" is refused/);
  assert.ok(performance.now() - started < 1_000);
  assert.equal(renderTemplate('{{ regexMatch "^[a-z]+(-[a-z]+)*$" "my-app" }}', {}), 'true');
});
