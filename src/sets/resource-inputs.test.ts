import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setResourceInputs } from './resource-inputs.js';

describe('setResourceInputs', () => {
  it('lists shared resources, then each workload and its externals, with ids, classes and params as the set has them', () => {
    const inputs = setResourceInputs({
      shared: { dns: { type: 'dns' }, 'db-class-large': { type: 'postgres', class: 'large', params: { extensions: ['uuid'] } } },
      modules: {
        web: { profile: 'humanitec/default-module', spec: {}, externals: { cache: { type: 'redis' } } },
        api: { profile: 'humanitec/default-module', spec: { containers: {} }, externals: { db: { type: 'postgres', params: { name: '${context.app.id}' } }, queue: { type: 'amqp', class: 'fast' } } },
      },
    });
    assert.deepEqual(inputs, [
      { id: 'shared.db-class-large', type: 'postgres', class: 'large', resource: { extensions: ['uuid'] } },
      { id: 'shared.dns', type: 'dns' },
      { id: 'modules.api', type: 'workload' },
      { id: 'modules.api.externals.db', type: 'postgres', resource: { name: '${context.app.id}' } },
      { id: 'modules.api.externals.queue', type: 'amqp', class: 'fast' },
      { id: 'modules.web', type: 'workload' },
      { id: 'modules.web.externals.cache', type: 'redis' },
    ]);
  });

  it('gives the empty set no inputs', () => {
    assert.deepEqual(setResourceInputs({ modules: {}, shared: {} }), []);
  });
});
