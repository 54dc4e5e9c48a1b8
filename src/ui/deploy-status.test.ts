import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ActiveResource, GraphNode, LogEntry } from './api.js';
import { phaseBars, planSummary, resourceStatuses, workloadChanges } from './deploy-status.js';

const node = (id: string, guresid: string): GraphNode => ({ id, guresid, type: 'config', class: 'default', def_id: `def-${id}`, criteria_id: '', driver_type: 'humanitec/template', depends_on: [], resource: {} });
const log = (resource: string, message: string, seq: number): LogEntry => ({ seq, at: '2026-01-01T00:00:00Z', phase: 'create', level: 'info', resource, message });
const nodes = [node('a', 'g1'), node('b', 'g2'), node('c', 'g3')];

it('gives each resource of a failed deployment what happened to it, the failed one first with its error', () => {
  const logs = [log('a', 'provisioning config a', 1), log('a', 'provisioned config a', 2), log('b', 'provisioning config b', 3)];
  const errors = [{ scope: 'resource', object_id: 'b', message: 'quota exceeded', code: 'DRV-001', error_type: 'DriverError', summary: '' }];
  const active = [{ gu_res_id: 'g1', status: 'active' } as ActiveResource];
  const rows = resourceStatuses(nodes, logs, errors, active, false);
  assert.deepEqual(
    rows.map((r) => [r.resId, r.state, r.error ?? '', r.active ?? '']),
    [
      ['b', 'failed', 'quota exceeded', ''],
      ['c', 'not reached', '', ''],
      ['a', 'provisioned', '', 'active'],
    ],
  );
});

it('shows resources of a running deployment as provisioning or waiting', () => {
  const rows = resourceStatuses(nodes, [log('a', 'provisioning config a', 1)], [], [], true);
  assert.deepEqual(rows.map((r) => `${r.resId}:${r.state}`), ['a:provisioning', 'b:waiting', 'c:waiting']);
});

it('puts phases on one time axis with their durations; a running one ends now', () => {
  const bars = phaseBars(
    [
      { name: 'read', status: 'succeeded', started_at: '2026-01-01T00:00:00.000Z', ended_at: '2026-01-01T00:00:01.000Z' },
      { name: 'create', status: 'running', started_at: '2026-01-01T00:00:01.000Z' },
    ],
    Date.parse('2026-01-01T00:00:04.000Z'),
  );
  assert.deepEqual(bars.map((b) => [b.name, Math.round(b.offset), Math.round(b.width), b.ms]), [
    ['read', 0, 25, 1000],
    ['create', 25, 75, undefined],
  ]);
  assert.deepEqual(phaseBars([]), []);
});

it('names the workloads a set diff adds, updates (with the paths) and removes', () => {
  const changes = workloadChanges({
    modules: {
      add: { web: {} },
      update: { api: [{ op: 'replace', path: '/spec/containers/main/image', value: 'x' }, { op: 'replace', path: '/spec/containers/main/image', value: 'y' }] },
      remove: ['old'],
    },
  });
  assert.deepEqual(changes, [
    { workload: 'api', change: 'updated', paths: ['/spec/containers/main/image'] },
    { workload: 'old', change: 'removed', paths: [] },
    { workload: 'web', change: 'added', paths: [] },
  ]);
});

it('groups a plan\'s resource actions and the resources it orphans', () => {
  const r = (res_id: string, action: string, cls = 'default') => ({ gu_res_id: res_id, type: 'postgres', class: cls, res_id, def_id: 'd', driver_type: 'x', action, will_provision: false });
  const summary = planSummary({ resources: [r('db', 'create'), r('cache', 'update', 'fast'), r('q', 'unchanged')], orphaned: [{ gu_res_id: 'o', type: 'redis', class: 'default', res_id: 'old', def_id: 'd' }] });
  assert.deepEqual(summary, { create: ['postgres db'], update: ['postgres.fast cache'], reprovision: [], orphan: ['redis old'], unchanged: ['postgres q'] });
});
