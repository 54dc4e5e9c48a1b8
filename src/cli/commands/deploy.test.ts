import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLogEntry, pickRollbackTarget, planIsNoOp, summarizePlan } from './deploy.js';
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
  it('counts and names the workloads, resources and objects that change in the server\'s plan', () => {
    const summary = summarizePlan({
      id: 'p1',
      set_diff: { modules: { add: { web: {}, api: {} }, remove: ['old'], update: { worker: [] } } },
      resources: [
        { action: 'create', type: 'postgres', res_id: 'modules.web.externals.db' },
        { action: 'create', type: 'dns', res_id: 'shared.dns' },
        { action: 'unchanged', type: 'k8s-cluster', res_id: 'k8s-cluster' },
        { action: 'reprovision', type: 'redis', res_id: 'shared.cache' },
      ],
      orphaned: [{ gu_res_id: 'x', type: 's3', res_id: 'shared.bucket' }],
      manifests: { added: [{ key: 'Deployment.apps/ns/web' }, { key: 'Deployment.apps/ns/api' }], changed: [{ key: 'Service/ns/worker', diff: '' }], removed: [], unchanged: ['a', 'b', 'c'] },
    });
    assert.equal(
      summary,
      [
        'workloads: 2 added (web, api), 1 updated (worker), 1 removed (old)',
        'resources: 2 create (postgres modules.web.externals.db, dns shared.dns), 1 reprovision (redis shared.cache), 1 unchanged, 1 orphaned (s3 shared.bucket)',
        'objects: 2 added (Deployment.apps/ns/web, Deployment.apps/ns/api), 1 changed (Service/ns/worker), 0 removed, 3 unchanged',
      ].join('\n'),
    );
  });

  it('a plan is a no-op only when the set is the current one and nothing is created, changed or removed', () => {
    const same = { base_set_id: 's1', set_id: 's1', from_deploy_id: 'd1', resources: [{ action: 'unchanged' }], orphaned: [], manifests: { added: [], changed: [], removed: [], unchanged: ['a'] } };
    assert.equal(planIsNoOp(same), true);
    assert.equal(planIsNoOp({ ...same, set_id: 's2' }), false);
    assert.equal(planIsNoOp({ ...same, from_deploy_id: '' }), false);
    assert.equal(planIsNoOp({ ...same, manifests: { ...same.manifests, changed: [{ key: 'x' }] } }), false);
    assert.equal(planIsNoOp({ ...same, resources: [{ action: 'update' }] }), false);
  });
});
