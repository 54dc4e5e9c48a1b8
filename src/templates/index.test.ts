import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { parseTemplate, renderTemplate, TemplateError } from './index.js';

test('renders fields, pipelines and sprig functions', () => {
  const out = renderTemplate('{{ .driver.values.res_id | splitList "." | last }}-sa', { driver: { values: { res_id: 'modules.w1' } } });
  assert.equal(out, 'w1-sa');
});

test('a compiled template executes many times with different data', () => {
  const template = parseTemplate('{{ range . }}[{{ . }}]{{ end }}');
  assert.equal(template.execute([1, 2]), '[1][2]');
  assert.equal(template.execute(['a']), '[a]');
});

test('missing keys print <no value> by default and fail with missingKey=error', () => {
  assert.equal(renderTemplate('{{ .nope }}', {}), '<no value>');
  assert.throws(() => renderTemplate('\n  {{ .nope }}', {}, { name: 'ingress', missingKey: 'error' }), (error: unknown) => {
    assert.ok(error instanceof TemplateError);
    assert.ok(error instanceof InvalidInput);
    assert.equal(error.message, 'template: ingress:2:5: executing "ingress" at <.nope>: map has no entry for key "nope"');
    assert.equal(error.line, 2);
    assert.equal(error.column, 5);
    return true;
  });
});

test('parse errors name the template and position', () => {
  assert.throws(() => parseTemplate('ok\n{{ if }}', { name: 'dns' }), /^TemplateError: template: dns:2:6: missing value for if$/);
});

test('custom funcs override and extend the function table', () => {
  assert.equal(renderTemplate('{{ shout "hi" }}', null, { funcs: { shout: (s) => `${String(s)}!` } }), 'hi!');
});
