import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { renderTemplate, TemplateError } from './index.js';
import { coreCases } from './testdata/core-cases.js';
import { defaultModeCases } from './testdata/default-mode-cases.js';
import { runGo } from './testdata/generate-core-expected.js';
import { sprigCases } from './testdata/sprig-cases.js';

type Outcome = { output: string } | { execError: string } | { parseError: string };
const goOutcomes = JSON.parse(readFileSync(new URL('./testdata/core-expected.json', import.meta.url), 'utf8')) as Record<string, Outcome>;

/** The oracle runs Go's engine with missingkey=error, so core cases are rendered in that mode too. */
function ours(template: string, data: unknown): Outcome {
  try {
    return { output: renderTemplate(template, data, { name: 'tpl', missingKey: 'error' }) };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    // Go's parse errors carry only the line; ours add the column, which is dropped for comparison.
    const parse = /^template: tpl:(\d+):\d+: (?!executing)(.*)$/s.exec(error.message);
    if (parse !== null) return { parseError: `template: tpl:${parse[1]}: ${parse[2]}` };
    return { execError: error.message.replace(/^template: tpl:\d+:\d+: executing "tpl" at <.*?>: /s, '') };
  }
}

describe('core language matches the Go engine (outputs pinned from Go)', () => {
  for (const c of coreCases) {
    test(c.name, () => {
      const expected = goOutcomes[c.name];
      assert.ok(expected, `no pinned Go outcome for ${c.name}; run generate-core-expected.ts`);
      assert.deepEqual(ours(c.template, c.data), expected);
    });
  }
});

test('pinned core outcomes are what the real Go engine produces today (differential)', async () => {
  for (const c of coreCases) {
    assert.deepEqual(await runGo(c.template, c.data), goOutcomes[c.name], c.name);
  }
});

const defaultPinned = JSON.parse(readFileSync(new URL('./testdata/default-mode-expected.json', import.meta.url), 'utf8')) as {
  goVersion: string;
  outcomes: Record<string, Outcome>;
};

describe(`default missingkey mode matches Go's text/template (outputs pinned from ${defaultPinned.goVersion})`, () => {
  for (const c of defaultModeCases) {
    test(c.name, () => {
      const expected = defaultPinned.outcomes[c.name];
      assert.ok(expected, `no pinned Go outcome for ${c.name}; run generate-default-expected.ts`);
      let actual: Outcome;
      try {
        actual = { output: renderTemplate(c.template, c.data, { name: 'tpl' }) };
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        actual = { execError: error.message };
      }
      assert.deepEqual(actual, expected);
    });
  }
});

describe('sprig functions follow sprig/Helm documented behaviour', () => {
  for (const c of sprigCases) {
    test(c.name, () => {
      if ('error' in c) {
        assert.throws(() => renderTemplate(c.template, c.data, { name: 'tpl' }), (error: unknown) => {
          assert.ok(error instanceof TemplateError);
          assert.match(error.message, c.error);
          return true;
        });
      } else {
        assert.equal(renderTemplate(c.template, c.data, { name: 'tpl' }), c.expected);
      }
    });
  }
});
