import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableResourceTypes } from './resource-types.js';

describe('score available-resource-types', () => {
  it('lists each type once per class its definitions offer; definitions without criteria offer nothing', () => {
    const rows = availableResourceTypes([
      { id: 'pg-dev', type: 'postgres', criteria: [{ env_type: 'development' }] },
      { id: 'pg-ha', type: 'postgres', criteria: [{ class: 'ha' }, { class: 'ha', app_id: 'shop' }] },
      { id: 'pg-any', type: 'postgres', criteria: [{}] },
      { id: 'unused', type: 'redis', criteria: [] },
      { id: 'dns', type: 'dns', criteria: [{ class: '' }] },
    ]);
    assert.deepEqual(rows, [
      { type: 'dns', class: 'default', definitions: ['dns'] },
      { type: 'postgres', class: 'default', definitions: ['pg-dev', 'pg-any'] },
      { type: 'postgres', class: 'ha', definitions: ['pg-ha'] },
    ]);
  });
});
