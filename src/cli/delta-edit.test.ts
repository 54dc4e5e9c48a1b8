import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deltaEdit } from './delta-edit.js';

describe('update delta', () => {
  it('turns a path in set terms into the delta to merge', () => {
    assert.deepEqual(deltaEdit('add', '/modules/web/spec/containers/main/image', 'nginx:1.27'), {
      modules: { update: { web: [{ op: 'add', path: '/spec/containers/main/image', value: 'nginx:1.27' }] } },
    });
    assert.deepEqual(deltaEdit('remove', '/modules/old', undefined), { modules: { remove: ['old'] } });
    assert.deepEqual(deltaEdit('add', '/modules/api', { profile: 'humanitec/default-module' }), { modules: { add: { api: { profile: 'humanitec/default-module' } } } });
    assert.deepEqual(deltaEdit('replace', '/shared/dns/class', 'external'), { shared: [{ op: 'replace', path: '/dns/class', value: 'external' }] });
  });
  it('refuses unknown operations, missing values and other paths', () => {
    assert.throws(() => deltaEdit('move', '/modules/web/x', 1), /add, replace or remove/);
    assert.throws(() => deltaEdit('add', '/modules/web/x', undefined), /add needs a value/);
    assert.throws(() => deltaEdit('add', '/values/x', 1), /must start with \/modules\/ or \/shared\//);
    assert.throws(() => deltaEdit('add', 'modules/web', 1), /must look like/);
  });
});
