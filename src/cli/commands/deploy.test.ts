import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogEntry, pickRollbackTarget, summarizePlan } from './deploy.js';
import type { Deployment } from './deploy.js';

describe('rollback target', () => {
  const d = (id: string, status: string, created_at: string): Deployment => ({ id, status, created_at, set_id: `set-${id}` });

  it('is the last succeeded deployment before the current one, whatever the list order', () => {
    const list = [d('d1', 'succeeded', '2024-01-01'), d('d2', 'succeeded', '2024-01-02'), d('d3', 'failed', '2024-01-03'), d('d4', 'succeeded', '2024-01-04')];
    assert.equal(pickRollbackTarget(list)?.id, 'd2');
    assert.equal(pickRollbackTarget([...list].reverse())?.id, 'd2');
  });

  it('skips the current one even when it succeeded, and is undefined with no earlier success', () => {
    assert.equal(pickRollbackTarget([d('d1', 'succeeded', '2024-01-01')]), undefined);
    assert.equal(pickRollbackTarget([d('d1', 'failed', '2024-01-01'), d('d2', 'succeeded', '2024-01-02')]), undefined);
  });
});

describe('log entries', () => {
  it('formats JSON entries as one line with phase and resource; text stays as is', () => {
    assert.equal(formatLogEntry(JSON.stringify({ at: 'T', phase: 'create', resource: 'shared.db', message: 'provisioned' })), 'T [create] shared.db: provisioned');
    assert.equal(formatLogEntry(JSON.stringify({ at: 'T', phase: 'create', message: 'x' }), { time: false }), '[create] x');
    assert.equal(formatLogEntry(JSON.stringify({ level: 'error', message: 'boom' })), 'ERROR boom');
    assert.equal(formatLogEntry('plain text'), 'plain text');
  });
});

describe('plan summary', () => {
  it('counts workloads, resource actions, orphans and object changes from the server\'s plan', () => {
    const summary = summarizePlan({
      id: 'p1',
      set_diff: { modules: { add: { web: {}, api: {} }, remove: ['old'], update: { worker: [] } } },
      resources: [{ action: 'create' }, { action: 'create' }, { action: 'unchanged' }, { action: 'reprovision' }],
      orphaned: [{ gu_res_id: 'x' }],
      manifests: { added: [{}, {}], changed: [{}], removed: [], unchanged: ['a', 'b', 'c'] },
    });
    assert.equal(
      summary,
      'workloads: 2 added, 1 updated, 1 removed\nresources: 2 create, 1 reprovision, 1 unchanged, 1 orphaned\nobjects: 2 added, 1 changed, 0 removed, 3 unchanged',
    );
  });
});
