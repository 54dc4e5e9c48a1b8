import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateJsonPath, parseGetOutput, renderGet } from './format.js';

const rows = [
  { id: 'dev', type: 'development', created_by: 'u1', last_deploy: { id: 'd1', status: 'succeeded' } },
  { id: 'prod', type: 'production', created_by: 'u2' },
];
const columns = [{ header: 'ID', value: (r: Record<string, unknown>) => r.id }];

describe('baton get -o', () => {
  it('parses kubectl formats and refuses others', () => {
    assert.deepEqual(parseGetOutput('jsonpath={.items[0].id}', true), { format: 'jsonpath', expression: '{.items[0].id}' });
    assert.deepEqual(parseGetOutput(undefined, false), { format: 'json' });
    assert.deepEqual(parseGetOutput('wide', false), { format: 'wide' });
    assert.throws(() => parseGetOutput('xml', true), /-o must be one of table, wide, json, yaml, name, jsonpath=EXPR/);
  });
  it('jsonpath reads fields, indexes and [*] of a list wrapped as items, never prototype keys', () => {
    assert.equal(evaluateJsonPath('{.items[*].id}', { items: rows }), 'dev prod');
    assert.equal(evaluateJsonPath('first={.items[0].last_deploy.status}', { items: rows }), 'first=succeeded');
    assert.equal(evaluateJsonPath("{.items[-1]['type']}", { items: rows }), 'production');
    assert.equal(evaluateJsonPath('{.constructor}{.__proto__}', {}), '');
  });
  it('name, wide and --no-headers', () => {
    assert.equal(renderGet(rows, { format: 'name' }, columns, false, 'env'), 'env/dev\nenv/prod');
    const wide = renderGet(rows, { format: 'wide' }, columns, false);
    assert.match(wide, /CREATED_BY/);
    assert.doesNotMatch(renderGet(rows, { format: 'table' }, columns, false), /CREATED_BY/);
    const bare = renderGet(rows, { format: 'table' }, columns, true);
    assert.doesNotMatch(bare, /ID/);
    assert.match(bare, /dev/);
    assert.match(renderGet(rows, { format: 'table' }, columns, false), /ID/);
  });
});
